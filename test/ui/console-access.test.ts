/**
 * The console as a token with less than root, and as a server that cannot answer: in Chromium
 * against a real dev server. What such a token cannot read is said, with what it lacks; it is
 * never shown as a verdict on the journal (✗ is for a record that fails its check) or as a
 * section left loading or empty.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import { call, printedValue, startDevServer, type TestServer } from '../helpers/server.js';
import { ensureConsoleBuilt, launchChromium } from '../helpers/console.js';

let server: TestServer;
let browser: Browser;
let journalReader: string;
let defaultOnly: string;

before(async () => {
  const uiDir = ensureConsoleBuilt();
  browser = await launchChromium();
  server = await startDevServer({ uiDir });
  const policy = await call(server.address, 'PUT', 'sys/policies/acl/journal-reader', { token: server.rootToken, body: { policy: 'path "sys/journal/*" { capabilities = ["read"] }' } });
  assert.equal(policy.status, 204, policy.text);
  const created = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['journal-reader'], display_name: 'reader' } });
  journalReader = created.json.auth.client_token as string;
  const bare = await call(server.address, 'POST', 'auth/token/create', { token: server.rootToken, body: { policies: ['default'], display_name: 'bare' } });
  defaultOnly = bare.json.auth.client_token as string;
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

async function signedIn(token: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.address}/ui/`);
  await page.fill('#token', token);
  await page.click('button[type=submit]');
  await page.waitForSelector('.topbar');
  return page;
}

test('Verify by a token that may read the journal but not the ledger: not checked, never ✗', async () => {
  const page = await signedIn(journalReader);
  await page.waitForSelector('.vlist .row');
  await page.click('.vlist .row');
  await page.click('.verify button');
  const verdict = await page.waitForSelector('.verdict', { timeout: 10_000 });
  const text = await verdict.textContent() ?? '';
  assert.equal(await verdict.getAttribute('data-verdict'), 'unchecked', text);
  assert.doesNotMatch(text, /does not verify|✗/);
  assert.match(text, /could not be checked/);
  assert.match(text, /sys\/ledger\/checkpoint/, 'says what the token may not read');
  await page.close();
});

test('the operations page, for a token that may read none of it: each section says what it may not read, none stays loading or claims to be empty', async () => {
  const page = await signedIn(defaultOnly);
  await page.goto(`${server.address}/ui/operations`);
  for (const path of ['sys/audit', 'sys/journal/records']) await page.waitForSelector(`.error:has-text("may not read ${path}")`);
  await page.waitForTimeout(500);
  const text = await page.textContent('main') ?? '';
  assert.doesNotMatch(text, /Loading…/);
  assert.doesNotMatch(text, /No capsule access recorded|\(0\)/, 'a log it could not read is not shown as empty');
  await page.close();
});

test('the ledger and story pages, for a token without their permission, say what it may not read', async () => {
  const page = await signedIn(defaultOnly);
  await page.goto(`${server.address}/ui/ledger`);
  await page.waitForSelector('.error:has-text("may not read sys/ledger/checkpoint")');
  await page.goto(`${server.address}/ui/entity/some-entity`);
  await page.waitForSelector('.error:has-text("may not read sys/journal/timeline")');
  await page.close();
});

test('a filter value too long to search by is said to be ignored, and the field takes no more', async () => {
  const page = await signedIn(server.rootToken);
  await page.goto(`${server.address}/ui/?request_id=${'x'.repeat(600)}`);
  await page.waitForSelector('.vlist .row');
  assert.match(await page.textContent('.status') ?? '', /Request id ignored: longer than 512 characters/);
  assert.equal(await page.getAttribute('input[name=request_id]', 'maxlength'), '512');
  await page.close();
});

test('a very large record opens as plain text, not as one element per value', async () => {
  const data = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`key-${String(i).padStart(5, '0')}-${'k'.repeat(40)}`, 'v']));
  const written = await call(server.address, 'POST', 'secret/data/very-large', { token: server.rootToken, body: { data } });
  assert.equal(written.status, 200, written.text);
  const page = await signedIn(server.rootToken);
  await page.goto(`${server.address}/ui/?request_id=${encodeURIComponent(written.json.request_id as string)}`);
  await page.waitForSelector('.vlist .row');
  await page.click('.vlist .row');
  await page.waitForSelector('.record-panel pre.json', { timeout: 60_000 });
  assert.ok(await page.$$eval('.record-panel pre.json *', (all) => all.length) < 50, 'a bounded DOM');
  const shown = await page.textContent('.record-panel pre.json') ?? '';
  assert.ok(shown.includes(`"key-04999-${'k'.repeat(40)}": "hmac-sha256:`), 'every value is still shown');
  assert.match(await page.textContent('.record-panel') ?? '', /shown as plain text/);
  await page.close();
});

test('a timeline opened while the server is sealed says so, and fills in once it is unsealed', async () => {
  const page = await signedIn(server.rootToken);
  await page.waitForSelector('.vlist .row');
  const sealed = await call(server.address, 'PUT', 'sys/seal', { token: server.rootToken });
  assert.equal(sealed.status, 204, sealed.text);
  try {
    await page.reload();
    await page.waitForSelector('.status .error');
    const status = await page.textContent('.status') ?? '';
    assert.match(status, /sealed/);
    assert.match(status, /trying again/, 'says that it tries again');
    assert.doesNotMatch(status, /0 records/, 'a search that could not run is not an empty result');
  } finally {
    const unsealed = await call(server.address, 'PUT', 'sys/unseal', { body: { key: printedValue(server.lines, 'Unseal Key') } });
    assert.equal(unsealed.status, 200, unsealed.text);
  }
  await page.waitForSelector('.vlist .row', { timeout: 10_000 });
  assert.equal(await page.$('.status .error'), null, 'the error is gone');
  await page.close();
});
