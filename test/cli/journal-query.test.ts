/**
 * `journal search | timeline | tail | export` in-process against the recording fake server: what
 * reaches the terminal from records, and how an answer that is no journal ends a command.
 */
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { envelope, startFakeVault, type FakeVault } from '../sdk/fake-vault.js';
import { runIn } from './harness.js';

let fake: FakeVault;
before(async () => {
  fake = await startFakeVault();
});
after(() => fake.close());
beforeEach(() => {
  fake.routes = {};
  fake.requests.length = 0;
});

const run = (argv: string[]) => runIn(argv, { env: { SEALTRAIL_ADDR: fake.address, SEALTRAIL_TOKEN: 'tok-root' } });

// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const TERMINAL_UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

/** A record from an imported log whose fields carry escape sequences, a forged line and a bidi override. */
const hostile = {
  seq: 457, time: '2026-12-05T10:00:00.123Z', kind: 'vault-request',
  request_id: 'esc-\x1b[2J\x1b[31mREQ\x1b[0m',
  path: 'secret/data/\x1b]0;pwned\x07\x1b[1;31mEVIL\x1b[0m\r\nfake line',
  operation: 'read\x1b[8m',
  outcome: 'success\u202etxt.exe\x7f\x9b',
  record: { request: { path: 'secret/data/\x1b]0;pwned\x07' } },
};
const ESCAPED_ROW = [
  '457', '2026-12-05T10:00:00.123Z', 'vault-request', 'esc-\\x1b[2J\\x1b[31mREQ\\x1b[0m',
  'secret/data/\\x1b]0;pwned\\x07\\x1b[1;31mEVIL\\x1b[0m\\x0d\\x0afake line', 'read\\x1b[8m', 'success\\u202etxt.exe\\x7f\\x9b',
].join('    ');

test('search, timeline and tail tables show control characters, separators and bidi overrides escaped', async () => {
  fake.routes = {
    'GET /v1/sys/journal/records': { status: 200, body: envelope({ records: [hostile], next_cursor: 'c\x1b[2J' }) },
    'GET /v1/sys/journal/timeline': { status: 200, body: envelope({ groups: [{ request_id: hostile.request_id, records: [hostile] }], truncated: false }) },
  };
  const search = await run(['journal', 'search']);
  assert.equal(search.code, 0, search.stderr);
  assert.equal(search.stdout.split('\n')[2], ESCAPED_ROW);
  assert.equal(search.stdout.split('\n').length, 4, 'header, underline, one row');
  assert.equal(search.stderr, 'more records: --cursor c\\x1b[2J\n');

  const timeline = await run(['journal', 'timeline', '--request-id', 'x']);
  assert.equal(timeline.code, 0, timeline.stderr);
  assert.equal(timeline.stdout.split('\n')[0], 'Request esc-\\x1b[2J\\x1b[31mREQ\\x1b[0m');
  assert.equal(timeline.stdout.split('\n')[3], ESCAPED_ROW);

  const tail = await run(['journal', 'tail', '--after-seq', '456', '--max-records', '1']);
  assert.equal(tail.code, 0, tail.stderr);
  assert.deepEqual(tail.stdout.split('\n')[2].split(/ {4,}/), ESCAPED_ROW.split('    '));

  for (const r of [search, timeline, tail]) assert.doesNotMatch(r.stdout + r.stderr, TERMINAL_UNSAFE);
});

test('search, timeline and tail tables mark an imported record, which a live one of the same text would otherwise look like', async () => {
  const live = { seq: 10, time: '2026-12-05T10:00:00Z', kind: 'vault-response', request_id: 'r-1', path: 'auth/apm/login', operation: 'update', outcome: 'success', imported: null, record: {} };
  const forged = { ...live, seq: 11, imported: { file: 'audit.log', line: 7 } };
  fake.routes = {
    'GET /v1/sys/journal/records': { status: 200, body: envelope({ records: [live, forged], next_cursor: null }) },
    'GET /v1/sys/journal/timeline': { status: 200, body: envelope({ groups: [{ request_id: 'r-1', records: [live, forged] }], truncated: false }) },
  };
  const kinds = (lines: string[]) => lines.map((l) => l.split(/ {4,}/)[2]);
  const search = await run(['journal', 'search']);
  assert.equal(search.code, 0, search.stderr);
  assert.deepEqual(kinds(search.stdout.split('\n').slice(2, 4)), ['vault-response', 'vault-response (imported)']);
  const timeline = await run(['journal', 'timeline', '--request-id', 'r-1']);
  assert.equal(timeline.code, 0, timeline.stderr);
  assert.deepEqual(kinds(timeline.stdout.split('\n').slice(3, 5)), ['vault-response', 'vault-response (imported)']);
  const tail = await run(['journal', 'tail', '--after-seq', '9', '--max-records', '2']);
  assert.equal(tail.code, 0, tail.stderr);
  assert.deepEqual(kinds(tail.stdout.split('\n').slice(2, 4)), ['vault-response', 'vault-response (imported)']);
});

test('-format=json escapes what JSON.stringify leaves raw (DEL, C1, separators, bidi) and keeps every value', async () => {
  fake.routes = { 'GET /v1/sys/journal/records': { status: 200, body: envelope({ records: [hostile], next_cursor: null }) } };
  const search = await run(['journal', 'search', '-format=json']);
  assert.equal(search.code, 0, search.stderr);
  assert.deepEqual(JSON.parse(search.stdout), { records: [hostile], next_cursor: null });
  assert.match(search.stdout, /"outcome": "success\\u202etxt\.exe\\u007f\\u009b"/);
  const tail = await run(['journal', 'tail', '--after-seq', '456', '--max-records', '1', '-format=json']);
  assert.deepEqual(JSON.parse(tail.stdout), hostile);
  for (const r of [search, tail]) assert.doesNotMatch(r.stdout, TERMINAL_UNSAFE);
});

test("a server's error message is shown escaped, on one line", async () => {
  fake.routes = { 'GET /v1/sys/journal/records': { status: 400, body: { errors: ['bad\x1b[2J\r\nfake: line'] } } };
  const search = await run(['journal', 'search']);
  assert.deepEqual([search.code, search.stderr], [2, 'Error reading the journal: bad\\x1b[2J\\x0d\\x0afake: line\n']);
});

const notSealtrail = (path: string) =>
  `HTTP 404 with no error message from ${fake.address}/v1/${path}: is that a Sealtrail server? (-address, SEALTRAIL_ADDR, VAULT_ADDR)`;
const notShaped = (path: string, what: string) =>
  `the answer of ${fake.address}/v1/${path} is not ${what}: is that a Sealtrail server? (-address, SEALTRAIL_ADDR, VAULT_ADDR)`;

test('an address answering 404 without errors (not a Sealtrail server) fails search, export, timeline, tail and prove instead of finding nothing', async () => {
  fake.routes = { 'GET /v1/sys/journal/records': { status: 404, rawBody: '' }, 'GET /v1/sys/journal/timeline': { status: 404, rawBody: '' } };
  for (const argv of [['journal', 'search'], ['journal', 'export'], ['journal', 'tail', '--max-records', '1'], ['ledger', 'prove', '5']]) {
    const r = await run(argv);
    assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', `Error reading the journal: ${notSealtrail('sys/journal/records')}\n`], argv.join(' '));
  }
  const timeline = await run(['journal', 'timeline', '--entity-id', 'e']);
  assert.deepEqual([timeline.code, timeline.stdout, timeline.stderr], [2, '', `Error reading the timeline: ${notSealtrail('sys/journal/timeline')}\n`]);
  // A 404 that says why is shown as the server says it.
  fake.routes = { 'GET /v1/sys/journal/records': { status: 404, body: { errors: ['no handler for route "sys/journal/records"'] } } };
  const said = await run(['journal', 'export']);
  assert.deepEqual([said.code, said.stderr], [2, 'Error reading the journal: no handler for route "sys/journal/records"\n']);
});

test('a 2xx answer that is not a page of records (or no timeline) is an error, not an empty result', async () => {
  const pages: unknown[] = [undefined, {}, envelope(null), envelope({ records: 'x' }), envelope({ records: [{ seq: '1', time: 't', kind: 'k' }], next_cursor: null })];
  for (const body of pages) {
    fake.routes = { 'GET /v1/sys/journal/records': body === undefined ? { status: 204 } : { status: 200, body } };
    for (const argv of [['journal', 'search'], ['journal', 'export']]) {
      const r = await run(argv);
      assert.deepEqual([r.code, r.stdout, r.stderr], [2, '', `Error reading the journal: ${notShaped('sys/journal/records', 'a page of journal records')}\n`], `${argv.join(' ')}: ${JSON.stringify(body)}`);
    }
  }
  // export asks for raw records: a page without their text is not one.
  fake.routes = { 'GET /v1/sys/journal/records': { status: 200, body: envelope({ records: [{ seq: 1, time: 't', kind: 'k', record: {} }], next_cursor: null }) } };
  assert.equal((await run(['journal', 'export'])).code, 2);
  fake.routes = { 'GET /v1/sys/journal/timeline': { status: 200, body: envelope({ groups: [] }) } };
  const timeline = await run(['journal', 'timeline', '--entity-id', 'e']);
  assert.deepEqual([timeline.code, timeline.stderr], [2, `Error reading the timeline: ${notShaped('sys/journal/timeline', 'a journal timeline')}\n`]);
});

test('tail ends at the first failed read instead of polling on', async () => {
  let reads = 0;
  fake.routes = {
    'GET /v1/sys/journal/records': () => (++reads <= 2 ? { status: 404, rawBody: '' } : { status: 200, body: envelope({ records: [hostile], next_cursor: null }) }),
  };
  const tail = await run(['journal', 'tail', '--after-seq', '5', '--max-records', '1']);
  assert.deepEqual([tail.code, tail.stdout, tail.stderr], [2, '', `Error reading the journal: ${notSealtrail('sys/journal/records')}\n`]);
  assert.equal(reads, 1);
});

const rec = (seq: number, text = `{"n":${seq}}`) => ({ seq, time: 't', kind: 'vault-request', text });

test('export ends on a server whose pages repeat, go backwards, or carry a text that would forge lines', async () => {
  // The same cursor again and again: before, an endless file of the same records.
  fake.routes = { 'GET /v1/sys/journal/records': { status: 200, body: envelope({ records: [rec(1)], next_cursor: 'again' }) } };
  const loop = await run(['journal', 'export']);
  assert.equal(loop.code, 2);
  assert.match(loop.stderr, /a cursor it sent before/);
  assert.equal(loop.stdout.split('\n').filter(Boolean).length, 1, 'the page once, then the refusal');

  // Empty pages with a fresh cursor each time: before, an endless loop of requests.
  let reads = 0;
  fake.routes = { 'GET /v1/sys/journal/records': () => ({ status: 200, body: envelope({ records: [], next_cursor: `c${++reads}` }) }) };
  const empty = await run(['journal', 'export']);
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /a cursor after an empty page/);
  assert.equal(reads, 1);

  fake.routes = { 'GET /v1/sys/journal/records': { status: 200, body: envelope({ records: [rec(1, '{"a":1}\n{"seq":9999,"forged":true}')], next_cursor: null }) } };
  const forged = await run(['journal', 'export']);
  assert.equal(forged.code, 2);
  assert.match(forged.stderr, /not one JSON value/);
  assert.doesNotMatch(forged.stdout, /forged/);

  // An honest server: pages in time order (an imported record's seq after a live one's), a record
  // imported from a pretty-printed file: every line is one JSON value with its record.
  fake.routes = { 'GET /v1/sys/journal/records': (req) => ({ status: 200, body: envelope(req.url.includes('cursor=') ? { records: [rec(2, '{\n  "n": 2\r\n}')], next_cursor: null } : { records: [rec(5)], next_cursor: 'next' }) }) };
  const ok = await run(['journal', 'export']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.deepEqual(ok.stdout.trim().split('\n').map((l) => JSON.parse(l).record), [{ n: 5 }, { n: 2 }]);
});

test('tail ends on a server that sends records it already sent', async () => {
  fake.routes = { 'GET /v1/sys/journal/records': { status: 200, body: envelope({ records: [rec(10)], next_cursor: null }) } };
  const tail = await run(['journal', 'tail', '--after-seq', '9', '--max-records', '5']);
  assert.equal(tail.code, 2);
  assert.match(tail.stderr, /record 10 after 10/);
});

test('--imported is the API\'s imported filter', async () => {
  fake.routes = { 'GET /v1/sys/journal/records': { status: 200, body: envelope({ records: [], next_cursor: null }) } };
  const r = await run(['journal', 'search', '--imported', 'true']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(fake.requests[0].url, /[?&]imported=true(&|$)/);
});

test('a search with no records says so on stderr (exit 0), as a timeline does, rather than print nothing', async () => {
  fake.routes = { 'GET /v1/sys/journal/records': { status: 200, body: envelope({ records: [], next_cursor: null }) } };
  const r = await run(['journal', 'search', '--request-id', 'nope']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', 'No records found\n']);
  const json = await run(['journal', 'search', '--request-id', 'nope', '-format=json']);
  assert.deepEqual([json.code, JSON.parse(json.stdout), json.stderr], [0, { records: [], next_cursor: null }, '']);
});

test('a timeline with no records says so on stderr (exit 0), naming the subject escaped', async () => {
  fake.routes = { 'GET /v1/sys/journal/timeline': { status: 200, body: envelope({ groups: [], truncated: false }) } };
  const r = await run(['journal', 'timeline', '--entity-id', 'nobody\x1b[2J']);
  assert.deepEqual([r.code, r.stdout, r.stderr], [0, '', 'No records for entity_id nobody\\x1b[2J\n']);
});

test('a truncated timeline says where its next part starts, and --since/--until bound it', async () => {
  const record = { seq: 1, time: '2026-12-05T10:00:00Z', kind: 'server', request_id: null, path: null, operation: 'start', outcome: 'success', imported: null, record: {} };
  fake.routes = { 'GET /v1/sys/journal/timeline': { status: 200, body: envelope({ groups: [{ request_id: null, records: [record] }], truncated: true, next_since: '2026-12-05T10:00:01.5Z' }) } };
  const r = await run(['journal', 'timeline', '--entity-id', 'e', '--since', '2026-12-05T10:00:00Z', '--until', '2026-12-06T00:00:00Z']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, 'more records: --since 2026-12-05T10:00:01.5Z\n');
  const url = new URL(fake.requests[0].url, 'http://x');
  assert.deepEqual([url.searchParams.get('entity_id'), url.searchParams.get('since'), url.searchParams.get('until')], ['e', '2026-12-05T10:00:00Z', '2026-12-06T00:00:00Z']);
});

test('tail prints its rows under its header, which it prints before any row is known', async () => {
  const records = [
    { seq: 7, time: '2026-12-05T10:00:00.123456789Z', kind: 'cloudtrail', request_id: '0192f1c2-7b3a-7c10-8f00-000000000001', path: 'kms/aws/Encrypt', operation: 'update', outcome: 'success' },
    { seq: 12345, time: '2026-12-05T10:00:01.000Z', kind: 'vault-response', request_id: 'r-2', path: 'secret/data/app/db', operation: 'read', outcome: 'failure' },
    { seq: 12346, time: '2026-12-05T10:00:02.000Z', kind: 'server', outcome: 'success' },
  ];
  fake.routes = { 'GET /v1/sys/journal/records': { status: 200, body: envelope({ records, next_cursor: null }) } };
  const tail = await run(['journal', 'tail', '--after-seq', '6', '--max-records', '3']);
  assert.equal(tail.code, 0, tail.stderr);
  const [header, underline, ...rows] = tail.stdout.trimEnd().split('\n');
  assert.equal(rows.length, 3);
  const starts = (line: string) => [...line.matchAll(/(?:^| {4})(\S)/g)].map((m) => m.index + m[0].length - 1);
  assert.deepEqual(starts(underline), starts(header));
  for (const row of rows) assert.deepEqual(starts(row), starts(header), `${row}\nis not under\n${header}`);
  assert.match(rows[2], /^12346 +2026-12-05T10:00:02\.000Z +server +n\/a +n\/a +n\/a +success$/);
});

test("a refused query parameter is named by the flag that set it; other messages are left as they are", async () => {
  fake.routes = { 'GET /v1/sys/journal/records': { status: 400, body: { errors: ['"since" must be an RFC 3339 time'] } } };
  const search = await run(['journal', 'search', '--since', 'yesterday']);
  assert.deepEqual([search.code, search.stderr], [2, 'Error reading the journal: --since must be an RFC 3339 time\n']);
  fake.routes = { 'GET /v1/sys/journal/records': { status: 400, body: { errors: ['"after_seq" must be a whole number'] } } };
  const tail = await run(['journal', 'tail', '--after-seq', 'x', '--max-records', '1']);
  assert.equal(tail.stderr, 'Error reading the journal: --after-seq must be a whole number\n');
  fake.routes = { 'GET /v1/sys/journal/records': { status: 400, body: { errors: ['"colour" is not a parameter'] } } };
  assert.equal((await run(['journal', 'search'])).stderr, 'Error reading the journal: "colour" is not a parameter\n');
  fake.routes = { 'GET /v1/sys/journal/timeline': { status: 400, body: { errors: ['"entity_id" is too long'] } } };
  assert.equal((await run(['journal', 'timeline', '--entity-id', 'e'])).stderr, 'Error reading the timeline: --entity-id is too long\n');
});

test('tail starts after the newest live record; a token refused `imported` starts after the newest of all', async () => {
  const row = { time: '2026-12-05T10:00:00Z', kind: 'vault-request', request_id: 'r', path: 'p', operation: 'read', outcome: 'success' };
  fake.routes = {
    'GET /v1/sys/journal/records': (req) => {
      const query = new URL(req.url, 'http://x').searchParams;
      if (query.get('imported') === 'false') return { status: 403, body: { errors: ['permission denied'] } };
      if (query.get('after_seq') === null) return { status: 200, body: envelope({ records: [{ ...row, seq: 40 }], next_cursor: null }) };
      return { status: 200, body: envelope({ records: [{ ...row, seq: Number(query.get('after_seq')) + 1 }], next_cursor: null }) };
    },
  };
  const tail = await run(['journal', 'tail', '--max-records', '1', '-format=json']);
  assert.equal(tail.code, 0, tail.stderr);
  assert.equal((JSON.parse(tail.stdout) as { seq: number }).seq, 41);
  const asked = fake.requests.map((r) => new URL(r.url, 'http://x').searchParams);
  assert.deepEqual(asked.slice(0, 2).map((q) => q.get('imported')), ['false', null]);
});
