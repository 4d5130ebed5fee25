/**
 * The console's other pages in a real browser against a real dev server: the ledger (checkpoint
 * signature checked in the page, the whole log recomputed to the signed root), operations (audit
 * devices with their counters, KMS keys seen, the capsule access log); 10,000 records in the virtual list
 * with a bounded DOM; no CSP violation anywhere; dark mode follows the system.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import type { Browser, Page } from 'playwright-core';
import { SealtrailClient } from '../../src/sdk/index.js';
import { encapsulate } from '../../src/sdk/capsule.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { ensureConsoleBuilt, launchChromium } from '../helpers/console.js';

let server: TestServer;
let browser: Browser;
let root: SealtrailClient;
let keyArn: string;
const cspViolations: string[] = [];

before(async () => {
  const uiDir = ensureConsoleBuilt();
  browser = await launchChromium();
  server = await startDevServer({ uiDir });
  root = new SealtrailClient({ address: server.address, token: server.rootToken });
  const kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials, maxAttempts: 1 });
  try {
    const key = await kms.send(new CreateKeyCommand({}));
    keyArn = key.KeyMetadata!.Arn!;
    await kms.send(new EncryptCommand({ KeyId: keyArn, Plaintext: Buffer.from('hello') }));
  } finally {
    kms.destroy();
  }
  const capsule = await encapsulate(root, 'for the operations page', { writeContext: 'default' });
  const loaded = await call(server.address, 'POST', 'capsule/load', { token: server.rootToken, body: { capsule: capsule.capsule, read_context: 'default' } });
  assert.equal(loaded.status, 200, loaded.text);
  // The pages read a signed checkpoint: wait for one covering what was just done (a query makes
  // the index, and so the ledger, catch up; the indexer defers to a busy machine otherwise).
  const newest = await call(server.address, 'GET', 'sys/journal/records?order=desc&limit=1', { token: server.rootToken });
  const seq = newest.json.data.records[0].seq as number;
  for (let i = 0; i < 200 && (server.ledger!.current()?.size ?? 0) <= seq; i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok((server.ledger!.current()?.size ?? 0) > seq, 'a checkpoint covers the set-up');
});
after(async () => {
  await browser?.close();
  await server?.stop();
  assert.deepEqual(cspViolations, [], 'no Content-Security-Policy violation on any page');
});

async function signedIn(options: Parameters<Browser['newPage']>[0] = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, ...options });
  page.on('console', (m) => { if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text()); });
  await page.goto(`${server.address}/ui/`);
  await page.fill('#token', server.rootToken);
  await page.click('button[type=submit]');
  await page.waitForSelector('.topbar');
  return page;
}

test('the ledger page checks the checkpoint\'s signature and recomputes the whole log to its root', async () => {
  const page = await signedIn();
  await page.click('nav a[href="/ui/ledger"]');
  await page.waitForSelector('.facts');
  const facts = await page.textContent('.facts') ?? '';
  assert.match(facts, /✓ signed by the log key/);
  const key = (await call(server.address, 'GET', 'sys/ledger/key')).json.data;
  assert.ok(facts.includes(key.verifier_key), 'the verifier key is shown');
  await page.click('button:has-text("Verify the whole log")');
  const verdict = await page.waitForSelector('.verdict', { timeout: 15_000 });
  assert.equal(await verdict.getAttribute('data-verdict'), 'ok', await verdict.textContent() ?? '');
  assert.match(await verdict.textContent() ?? '', /✓ all \d+ entries reproduce the signed root/);
  assert.equal(await page.getAttribute('progress', 'value'), await page.getAttribute('progress', 'max'));
  await page.close();
});

test('a pinned ledger key: shown as matching; a different pinned key makes Verify fail', async () => {
  const page = await signedIn();
  await page.goto(`${server.address}/ui/ledger`);
  await page.click('button:has-text("Pin this key in this browser")');
  await page.waitForSelector('.pin[data-pinned="match"]');
  await page.evaluate(() => localStorage.setItem('sealtrail.ledger.pinned-key', 'someone+01020304+AQ=='));
  await page.reload();
  await page.waitForSelector('.pin[data-pinned="differs"]');
  // The whole log is held to the pin too.
  await page.click('button:has-text("Verify the whole log")');
  const whole = await page.waitForSelector('.verdict', { timeout: 10_000 });
  assert.equal(await whole.getAttribute('data-verdict'), 'bad');
  assert.match(await whole.textContent() ?? '', /not the key pinned in this browser/);
  await page.goto(`${server.address}/ui/?kind=vault-response`);
  await page.waitForSelector('.vlist .row');
  await page.click('.vlist .row');
  await page.click('.verify button');
  const verdict = await page.waitForSelector('.verdict', { timeout: 10_000 });
  assert.equal(await verdict.getAttribute('data-verdict'), 'bad');
  assert.match(await verdict.textContent() ?? '', /not the key pinned in this browser/);
  await page.goto(`${server.address}/ui/ledger`);
  await page.click('.pin button:has-text("Unpin")');
  await page.waitForSelector('button:has-text("Pin this key in this browser")');
  await page.close();
});

test('Verify shows the text it verified, and says so when the server listed the record with other content', async () => {
  const page = await signedIn();
  // A server answering the listing and the verification with different copies: the listing is
  // rewritten on its way to the page, the raw text that Verify reads is not.
  await page.route('**/v1/sys/journal/records?*', async (route) => {
    const response = await route.fetch();
    // Verify reads one record by its seq; the list reads pages.
    if (new URL(route.request().url()).searchParams.get('limit') === '1') return route.fulfill({ response });
    const body = await response.json() as { data: { records: Array<{ text?: string }> } };
    for (const r of body.data.records) r.text = JSON.stringify({ ...JSON.parse(r.text ?? '{}'), forged: 'listed-not-verified' });
    return route.fulfill({ response, json: body });
  });
  await page.goto(`${server.address}/ui/?kind=vault-response`);
  const row = await page.waitForSelector('.vlist .row');
  const seq = Number(await row.getAttribute('data-seq'));
  for (let i = 0; i < 100 && (server.ledger!.current()?.size ?? 0) <= seq; i++) await new Promise((r) => setTimeout(r, 100));
  await row.click();
  await page.waitForSelector('.record-panel');
  assert.match(await page.textContent('.record-panel') ?? '', /listed-not-verified/, 'the listed copy is shown before Verify');
  await page.click('.verify button');
  const verdict = await page.waitForSelector('.verdict', { timeout: 10_000 });
  assert.equal(await verdict.getAttribute('data-verdict'), 'ok', await verdict.textContent() ?? '');
  await page.waitForSelector('[data-record-differs="true"]');
  assert.doesNotMatch(await page.textContent('.record-panel') ?? '', /listed-not-verified/, 'beside ✓ is the verified text only');
  await page.close();
});

test('a Verify answer that arrives after another record was opened is not shown for that record', async () => {
  const page = await signedIn();
  await page.goto(`${server.address}/ui/?kind=vault-response`);
  await page.waitForSelector('.vlist .row:nth-child(2)');
  const [first, second] = await page.$$('.vlist .row');
  const [a, b] = [Number(await first!.getAttribute('data-seq')), Number(await second!.getAttribute('data-seq'))];
  for (let i = 0; i < 100 && (server.ledger!.current()?.size ?? 0) <= Math.max(a, b); i++) await new Promise((r) => setTimeout(r, 100));
  // A's inclusion proof is held back (a slow network) until B is open.
  let release!: () => void;
  const held = new Promise<void>((r) => { release = r; });
  let answered!: () => void;
  const delivered = new Promise<void>((r) => { answered = r; });
  await page.route('**/v1/sys/ledger/proof/inclusion?*', async (route) => {
    const response = await route.fetch();
    if (new URL(route.request().url()).searchParams.get('index') === String(a)) await held;
    await route.fulfill({ response });
    answered();
  });
  await first!.click();
  await page.waitForSelector(`.record-panel[aria-label="Record ${a}"]`);
  await page.click('.verify button');
  await second!.click();
  await page.waitForSelector(`.record-panel[aria-label="Record ${b}"]`);
  release();
  await delivered;
  await page.waitForTimeout(300);
  assert.equal(await page.$('.verdict'), null, `no verdict for record ${b}, which was not verified`);
  assert.equal(await page.$('[data-record-differs]'), null, `record ${a}'s text is not put in record ${b}'s panel`);
  assert.equal(await page.textContent('.verify button'), 'Verify', 'the button is ready for record B');
  await page.click('.verify button');
  const verdict = await page.waitForSelector('.verdict', { timeout: 10_000 });
  assert.match(await verdict.textContent() ?? '', new RegExp(`Record ${b} is in the signed ledger`));
  await page.close();
});

test('record text that hides or reorders characters is shown escaped in the list and the panel', async () => {
  const page = await signedIn();
  // A record carrying a right-to-left override and a zero-width space (a KMS description, a user
  // agent, an imported path) as the server would list it.
  await page.route('**/v1/sys/journal/records?*', async (route) => {
    const response = await route.fetch();
    if (new URL(route.request().url()).searchParams.get('limit') === '1') return route.fulfill({ response });
    const body = await response.json() as { data: { records: Array<{ text?: string; path: string | null }> } };
    for (const r of body.data.records) {
      r.path = 'secret/data/ad\u200bmin';
      r.text = JSON.stringify({ ...JSON.parse(r.text ?? '{}'), description: 'ok\u202eeruliaf x' });
    }
    return route.fulfill({ response, json: body });
  });
  await page.goto(`${server.address}/ui/?kind=vault-response`);
  const row = await page.waitForSelector('.vlist .row');
  assert.equal(await row.$eval('.summary', (e) => e.textContent), 'secret/data/ad\\u200bmin');
  await row.click();
  const panel = await page.waitForSelector('.record-panel');
  const text = await panel.textContent() ?? '';
  assert.match(text, /"description": "ok\\u202eeruliaf x"/);
  assert.doesNotMatch(text, /[\u202e\u200b]/);
  await page.close();
});

test('an imported record is marked as imported, with its file and line, in the list and the panel', async () => {
  const page = await signedIn();
  // Two records of the same kind and text as the server lists them: the first imported (its text
  // is whatever a log file held), the second witnessed by the server. Polling finds nothing newer.
  const read = (seq: number, imported: unknown) => ({ seq, time: '2026-12-05T10:00:00Z', kind: 'vault-response', request_id: `r-${seq}`, path: 'secret/data/app', operation: 'read', outcome: 'success', imported, record: {} });
  const records = [read(1, { file: 'logs/forged\u202e.log', line: 7 }), read(2, null)];
  await page.route('**/v1/sys/journal/records?*', (route) => {
    const polling = new URL(route.request().url()).searchParams.has('after_seq');
    return route.fulfill({ json: { data: { records: polling ? [] : records, next_cursor: null } } });
  });
  await page.goto(`${server.address}/ui/?kind=vault-response`);
  const imported = await page.waitForSelector(`.vlist .row[data-seq="1"]`);
  const live = await page.waitForSelector(`.vlist .row[data-seq="2"]`);
  assert.equal(await imported.getAttribute('data-imported'), 'true');
  assert.match(await imported.textContent() ?? '', /imported/);
  assert.equal(await live.getAttribute('data-imported'), null);
  assert.doesNotMatch(await live.textContent() ?? '', /imported/);
  await imported.click();
  const panel = await page.waitForSelector(`.record-panel[aria-label="Record 1"]`);
  assert.match(await panel.$eval('.meta', (e) => e.textContent ?? ''), /imported from logs\/forged\\u202e\.log:7/);
  await live.click();
  const livePanel = await page.waitForSelector(`.record-panel[aria-label="Record 2"]`);
  assert.doesNotMatch(await livePanel.$eval('.meta', (e) => e.textContent ?? ''), /imported/);
  // An enclave's story lists what its timeline holds: an imported secret read is marked there too.
  await page.route('**/v1/sys/journal/timeline?*', (route) => route.fulfill({ json: { data: { groups: [{ request_id: null, records }], truncated: false } } }));
  await page.goto(`${server.address}/ui/entity/ent-1`);
  await page.waitForSelector('.record-table tbody tr');
  const rows = await page.$$eval('.record-table tbody tr', (trs) => trs.map((tr) => tr.children[0]?.textContent ?? ''));
  assert.deepEqual(rows, ['1 imported', '2']);
  await page.close();
});

test('the operations page: audit devices with health and counters, KMS keys seen, the capsule access log', async () => {
  const page = await signedIn();
  await page.goto(`${server.address}/ui/operations`);
  await page.waitForSelector('text=Audit devices');
  await page.waitForSelector('section table tbody tr');
  const devices = await page.textContent('section table') ?? '';
  assert.match(devices, /journal/);
  assert.match(devices, /healthy/);
  assert.match(devices, /success \d+/, 'write counters from sys/metrics');
  await page.waitForSelector(`a[href="/ui/?key_arn=${encodeURIComponent(keyArn)}"]`);
  await page.waitForSelector('.record-table td a[href^="/ui/?capsule="]');
  await page.close();
});

test('10,000 records: the virtual list keeps a bounded DOM, scrolls to the last, and the keyboard reaches it', async () => {
  const page = await signedIn();
  // The journal API answered from the page's own routes: ten pages of 1,000, newest first.
  const TOTAL = 10_000;
  const record = (seq: number) => ({
    seq, time: new Date(Date.UTC(2026, 11, 1) + seq * 1000).toISOString(), kind: seq % 2 ? 'vault-response' : 'vault-request',
    request_id: `r${seq >> 1}`, accessor: null, entity_id: 'e-bench', correlation_id: null, access_key_id: null, user_arn: null, key_arn: null,
    capsule: null, session: null, remote_address: null, path: `secret/data/n${seq}`, operation: 'read', outcome: 'success', imported: null, text: '{}',
  });
  await page.route('**/v1/sys/journal/records?*', (route) => {
    const params = new URL(route.request().url()).searchParams;
    if (params.has('after_seq')) return route.fulfill({ json: { data: { records: [], next_cursor: null } } });
    const pageNo = Number(params.get('cursor') ?? 0);
    const records = Array.from({ length: 1000 }, (_, k) => record(TOTAL - 1 - (pageNo * 1000 + k)));
    return route.fulfill({ json: { data: { records, next_cursor: pageNo < 9 ? String(pageNo + 1) : null } } });
  });
  await page.goto(`${server.address}/ui/?entity_id=e-bench`);
  await page.waitForSelector(`.vlist[data-count="${TOTAL}"]`);
  const rows = await page.$$eval('.vlist .row', (rs) => rs.length);
  assert.ok(rows > 10 && rows < 100, `rows in the DOM: ${rows}`);
  assert.equal(await page.getAttribute('.vlist .row:first-child', 'data-seq'), '0', 'oldest first');
  await page.focus('.vlist');
  await page.keyboard.press('End');
  await page.waitForSelector(`.row[data-seq="${TOTAL - 1}"][aria-selected="true"]`);
  assert.ok(await page.$$eval('.vlist .row', (rs) => rs.length) < 100);
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.record-panel[aria-label="Record ${TOTAL - 1}"]`);
  await page.close();
});

test('a timeline cut short by large records says it shows the newest only, not 10,000', async () => {
  const page = await signedIn();
  // Pages the journal API ended early at its text budget: 300 records each, always more behind.
  const record = (seq: number) => ({
    seq, time: new Date(Date.UTC(2026, 11, 1) + seq * 1000).toISOString(), kind: 'vault-request', request_id: null, accessor: null,
    entity_id: 'e-large', correlation_id: null, access_key_id: null, user_arn: null, key_arn: null, capsule: null, session: null,
    remote_address: null, path: 'auth/approle/login', operation: 'update', outcome: 'failure', imported: null, text: '{}',
  });
  await page.route('**/v1/sys/journal/records?*', (route) => {
    const params = new URL(route.request().url()).searchParams;
    if (params.has('after_seq')) return route.fulfill({ json: { data: { records: [], next_cursor: null } } });
    const pageNo = Number(params.get('cursor') ?? 0);
    const records = Array.from({ length: 300 }, (_, k) => record(100_000 - (pageNo * 300 + k)));
    return route.fulfill({ json: { data: { records, next_cursor: String(pageNo + 1) } } });
  });
  await page.goto(`${server.address}/ui/?entity_id=e-large`);
  await page.waitForSelector('.vlist[data-count="3000"]');
  const status = await page.textContent('.status') ?? '';
  assert.match(status, /^3000 records \(the newest only: narrow the search for older ones\)/);
  await page.close();
});

test('light and dark follow the system\'s preference', async () => {
  const page = await signedIn();
  const background = async (colorScheme: 'light' | 'dark') => {
    await page.emulateMedia({ colorScheme });
    return page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  };
  assert.equal(await background('light'), 'rgb(255, 255, 255)');
  assert.equal(await background('dark'), 'rgb(15, 20, 25)');
  await page.close();
});
