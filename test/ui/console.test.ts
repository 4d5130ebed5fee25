/**
 * The console in a real browser against a real dev server: sign in with a token, an enclave's
 * attestation, secret read, KMS call and capsule load made through the API, found by the entity
 * and shown in order; a record opened (keyboard and mouse) and verified in the browser against the
 * signed ledger (✓), then changed in the journal's database and verified again (✗); a revoked or
 * expired token returns to sign-in; the token is never in the page. Screenshots for the docs.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Browser, Page } from 'playwright-core';
import { createDevEnclave, loadDevCaFromDir } from '../../src/attestation/index.js';
import { journalPath } from '../../src/config/index.js';
import { SealtrailClient, apmLogin } from '../../src/sdk/index.js';
import { encapsulate } from '../../src/sdk/capsule.js';
import { systemClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { ensureConsoleBuilt, launchChromium } from '../helpers/console.js';

const SIGNER = '7b'.repeat(48);
const IMAGE = 'c4'.repeat(48);
// The docs' screenshots are taken here: written over docs/images/ only when asked
// (SEALTRAIL_UPDATE_SCREENSHOTS=1), so a test run leaves the checkout as it found it.
const UPDATING_SCREENSHOTS = process.env.SEALTRAIL_UPDATE_SCREENSHOTS === '1';
const IMAGES = UPDATING_SCREENSHOTS
  ? new URL('../../docs/images/', import.meta.url).pathname
  : mkdtempSync(join(tmpdir(), 'sealtrail-console-shots-'));
after(() => { if (!UPDATING_SCREENSHOTS) rmSync(IMAGES, { recursive: true, force: true }); });

let server: TestServer;
let browser: Browser;
let root: SealtrailClient;

before(async () => {
  const uiDir = ensureConsoleBuilt();
  browser = await launchChromium();
  server = await startDevServer({ uiDir });
  root = new SealtrailClient({ address: server.address, token: server.rootToken });
  mkdirSync(IMAGES, { recursive: true });
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Polls `check` every 100 ms for at most `ms`. */
async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.goto(`${server.address}/ui/`);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('.topbar');
}

/** An enclave's story through the API: attestation login, secret read, KMS Decrypt for it, capsule load. */
async function enclaveStory(): Promise<{ entityId: string; token: string }> {
  const ca = await loadDevCaFromDir(join(server.dir, 'dev-ca'));
  const enclave = createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } });
  const kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials, maxAttempts: 1 });
  try {
    await root.kv('secret').put('enclave/db', { password: 'console-test-password' });
    await root.write('sys/policies/acl/enclave', {
      policy: 'path "secret/data/enclave/db" { capabilities = ["read"] }\npath "capsule/load" { capabilities = ["update"] }',
    });
    await root.write('auth/apm/role/enclave', { platform: 'nitro', signer_id: SIGNER, token_policies: 'enclave' });
    const capsule = await encapsulate(root, 'the enclave may read this', { writeContext: 'default' });
    const key = await kms.send(new CreateKeyCommand({}));
    const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyMetadata!.KeyId, KeySpec: 'AES_256' }));
    const login = await apmLogin(new SealtrailClient({ address: server.address, token: '' }), {
      platform: 'nitro', attest: (challenge) => enclave.attest({ nonce: challenge }),
    });
    const asEnclave = new SealtrailClient({ address: server.address, token: login.token });
    assert.equal((await asEnclave.kv('secret').get<{ password: string }>('enclave/db'))?.data?.data?.password, 'console-test-password');
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const recipient = { AttestationDocument: enclave.attest({ publicKey: publicKey.export({ type: 'spki', format: 'der' }) }), KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const };
    await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, Recipient: recipient }));
    const loaded = await call(server.address, 'POST', 'capsule/load', { token: login.token, body: { capsule: capsule.capsule, read_context: 'default' } });
    assert.equal(loaded.status, 200, loaded.text);
    return { entityId: login.entityId, token: login.token };
  } finally {
    kms.destroy();
  }
}

const rowsShown = (page: Page) => page.$$eval('.vlist .row', (rows) => rows.map((r) => ({
  seq: Number(r.getAttribute('data-seq')), mark: r.querySelector('.mark')?.textContent ?? '', kind: r.querySelector('.kind')?.textContent ?? '',
})));

test('sign in, find an enclave\'s story by its entity (in order, then live), open a record, verify it (✓), tamper with it on disk (✗)', async () => {
  const { entityId, token: enclaveToken } = await enclaveStory();
  const api = await call(server.address, 'GET', `sys/journal/records?${new URLSearchParams({ entity_id: entityId, order: 'asc', limit: '1000' })}`, { token: server.rootToken });
  assert.equal(api.status, 200, api.text);
  const expected = (api.json.data.records as { seq: number; kind: string; path: string | null }[]);
  assert.ok(expected.length >= 8, `the enclave's records: ${expected.length}`);

  const page = await browser.newPage({ viewport: { width: 1400, height: 820 } });
  await signIn(page, server.rootToken);
  assert.ok(!(await page.content()).includes(server.rootToken), 'the token is not in the page');
  assert.deepEqual(await page.evaluate(() => Object.keys(sessionStorage).sort()), ['sealtrail.token', 'sealtrail.token-info']);

  // Search by the entity through the filter form: the URL carries the filter.
  await page.fill('input[name=entity_id]', entityId);
  await page.click('.filters button[type=submit]');
  await page.waitForURL((u) => u.searchParams.get('entity_id') === entityId);
  await until(async () => (await rowsShown(page)).length === expected.length || undefined, 'the entity\'s records', 10_000);
  const rows = await rowsShown(page);
  assert.deepEqual(rows.map((r) => r.seq), expected.map((r) => r.seq), 'the same records, oldest first');
  const marks = [...new Set(rows.map((r) => r.mark))];
  for (const m of ['Attestation', 'Secret access', 'KMS call', 'Capsule access']) assert.ok(marks.includes(m), `a ${m} mark among ${marks}`);
  const order = ['Attestation', 'Secret access', 'KMS call', 'Capsule access'].map((m) => rows.findIndex((r) => r.mark === m));
  assert.deepEqual(order, [...order].sort((a, b) => a - b), 'attestation, then secret read, KMS call, capsule load');
  await page.screenshot({ path: join(IMAGES, 'console-timeline.png') });

  // Live: the enclave reads its secret again; the two new records arrive without a reload.
  const enclave = new SealtrailClient({ address: server.address, token: enclaveToken });
  await enclave.kv('secret').get('enclave/db');
  await until(async () => (await page.getAttribute('.vlist', 'data-count')) === String(expected.length + 2) || undefined, 'the live poll to bring the new records', 8_000);

  // Keyboard: the list takes focus, Enter opens the selected record, Esc closes it.
  await page.focus('.vlist');
  await page.keyboard.press('Home');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.record-panel[aria-label="Record ${expected[0].seq}"]`);
  await page.keyboard.press('Escape');
  await until(async () => (await page.$('.record-panel')) === null || undefined, 'the panel to close');
  assert.equal(await page.evaluate(() => document.activeElement?.getAttribute('role')), 'listbox', 'the focus is back on the list');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.record-panel[aria-label="Record ${expected[1].seq}"]`);
  await page.keyboard.press('Escape');

  // Open the secret read's response and verify it once a signed checkpoint covers it.
  const target = expected.find((r) => r.kind === 'vault-response' && r.path === 'secret/data/enclave/db')!;
  await until(() => (server.ledger!.current()?.size ?? 0) > target.seq || undefined, 'a checkpoint covering the record');
  await page.click(`.row[data-seq="${target.seq}"]`);
  await page.waitForSelector(`.record-panel[aria-label="Record ${target.seq}"]`);
  assert.ok(await page.$('.record-panel .json-hmac'), 'HMAC\'d values are shown as such');
  const pivots = await page.$$eval('.record-panel a.pivot', (as) => as.map((a) => a.getAttribute('href')));
  assert.ok(pivots.includes(`/ui/?entity_id=${encodeURIComponent(entityId)}`), `a pivot to the entity among ${pivots}`);
  await page.click('.verify button');
  const ok = await page.waitForSelector('.verdict', { timeout: 10_000 });
  assert.equal(await ok.getAttribute('data-verdict'), 'ok', await ok.textContent() ?? '');
  const okText = await ok.textContent();
  assert.match(okText ?? '', new RegExp(`✓ Record ${target.seq} is in the signed ledger`));
  const origin = (await call(server.address, 'GET', 'sys/ledger/key')).json.data.origin as string;
  assert.ok(okText?.includes(`origin${origin}`), `the checkpoint's origin ${origin} in ${okText}`);
  await page.screenshot({ path: join(IMAGES, 'console-verify.png') });
  assert.match(okText ?? '', /first checkpoint this browser verified under this key/);
  // Again, once the log has grown: the new checkpoint is proved (consistency proof) to extend the first.
  const firstSize = server.ledger!.current()!.size;
  await root.kv('secret').get('enclave/db');
  await until(() => (server.ledger!.current()?.size ?? 0) > firstSize || undefined, 'a larger checkpoint');
  await page.click('.verify button');
  const again = await page.waitForSelector('.verdict', { timeout: 10_000 });
  assert.equal(await again.getAttribute('data-verdict'), 'ok', await again.textContent() ?? '');
  assert.match(await again.textContent() ?? '', /extends the checkpoint this browser verified before \(size \d+\)/);

  // Change the record's text in the journal's database: the same Verify now fails.
  const db = new Database(journalPath(server.config));
  try {
    db.pragma('busy_timeout = 5000');
    const original = db.prepare('SELECT text FROM records WHERE seq = ?').pluck().get(target.seq) as string;
    assert.match(original, /enclave\/db/);
    db.prepare('UPDATE records SET text = ? WHERE seq = ?').run(original.replace('enclave/db', 'enclave/dc'), target.seq);
  } finally {
    db.close();
  }
  await page.click('.verify button');
  const bad = await page.waitForSelector('.verdict', { timeout: 10_000 });
  assert.equal(await bad.getAttribute('data-verdict'), 'bad');
  assert.match(await bad.textContent() ?? '', /✗ Record \d+ does not verify.*does not match its ledger entry/);
  assert.ok(!(await page.content()).includes(server.rootToken), 'the token is not in the page');

  // The entity's story, from the record's identities.
  await page.click('.record-panel a:has-text("story")');
  await page.waitForSelector('h1:has-text("Enclave story")');
  const section = async (title: string) => page.$$eval(`.record-table:has(h2:has-text("${title}")) tbody tr`, (trs) => trs.map((tr) => tr.textContent ?? ''));
  await page.waitForSelector('.record-table');
  const attestations = await section('Attestations');
  assert.equal(attestations.length, 1);
  assert.match(attestations[0], /nitro.*granted/);
  assert.equal((await section('Tokens issued')).length, 1);
  assert.ok((await section('Secrets read')).some((t) => t.includes('secret/data/enclave/db')));
  assert.ok((await section('KMS calls')).some((t) => t.includes('Decrypt')));
  assert.equal((await section('Capsules opened')).length, 2, 'open and read');
  assert.ok((await page.$$('.chart svg rect')).length >= 4, 'the activity chart has bars');
  await page.goBack();
  await page.waitForSelector('.vlist');

  // Back goes to the unfiltered timeline; forward returns to the entity's.
  await page.goBack();
  await page.waitForURL((u) => !u.searchParams.has('entity_id'));
  await page.goForward();
  await page.waitForURL((u) => u.searchParams.get('entity_id') === entityId);
  assert.equal(await page.inputValue('input[name=entity_id]'), entityId);

  // An identity in a record pivots the timeline: the secret read's request id shows its two entries.
  await page.click(`.row[data-seq="${target.seq}"]`);
  await page.click('.record-panel a.pivot[title="Timeline of this request"]');
  await page.waitForURL((u) => u.searchParams.has('request_id') && !u.searchParams.has('entity_id'));
  await until(async () => (await rowsShown(page)).length === 2 || undefined, 'the request\'s two entries');
  assert.deepEqual((await rowsShown(page)).map((r) => r.kind), ['vault-request', 'vault-response']);
  await page.close();
});

test('a revoked token and an expired token return to sign-in and are cleared; a wrong token is refused', async () => {
  const page = await browser.newPage();
  await page.goto(`${server.address}/ui/`);
  await page.fill('#token', 'hvs.not-a-real-token');
  await page.click('button[type=submit]');
  await page.waitForSelector('.signin .error');
  assert.ok(!(await page.content()).includes('hvs.not-a-real-token'));

  const revoked = (await root.write('auth/token/create', { policies: ['root'], display_name: 'console-revoked' }))!.auth!.client_token as string;
  await signIn(page, revoked);
  assert.match(await page.textContent('.who') ?? '', /console-revoked/);
  await root.write('auth/token/revoke', { token: revoked });
  // The timeline's live poll (every 2 s) meets the revoked token.
  await page.waitForSelector('.signin', { timeout: 10_000 });
  assert.match(await page.textContent('.notice') ?? '', /no longer valid/);
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.ok(!(await page.content()).includes(revoked));

  const expiring = (await root.write('auth/token/create', { policies: ['root'], ttl: '5s' }))!.auth!.client_token as string;
  await signIn(page, expiring);
  await page.waitForSelector('.signin', { timeout: 15_000 });
  assert.equal(await page.evaluate(() => sessionStorage.length), 0);
  assert.ok(!(await page.content()).includes(expiring));
  await page.close();
});
