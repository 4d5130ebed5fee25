/**
 * The journal's queries in the audit trail, through the real server: a query's response entries
 * name the records it returned by seq (with their count and the next cursor) instead of embedding
 * them, so a reader who queries the journal's own entries again and again writes entries of about
 * the same size each time — on a hashing device, a log_raw one and in the journal itself, wrapped or
 * not — while the client still gets every record in full.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let reader: string;
let readerAccessor: string;

before(async () => {
  server = await startDevServer();
  const root = (method: string, path: string, body?: unknown) => call(server.address, method, path, { token: server.rootToken, body });
  assert.equal((await root('PUT', 'sys/audit/raw', { type: 'file', options: { file_path: join(server.dir, 'raw.log'), log_raw: true } })).status, 204);
  // The grant docs/journal.md describes for reading the journal.
  await root('PUT', 'sys/policies/acl/journal-reader', { policy: 'path "sys/journal/*" { capabilities = ["read"] }\npath "sys/ledger/*" { capabilities = ["read"] }' });
  const created = await root('POST', 'auth/token/create', { policies: ['journal-reader'] });
  reader = created.json.auth.client_token;
  readerAccessor = created.json.auth.accessor;
});
after(async () => {
  await server?.stop();
});

interface Line { size: number; entry: any }

/** The response entry a device wrote for a request, and its line's size in bytes. */
function responseLine(file: string, requestId: string): Line {
  const lines = readFileSync(join(server.dir, file), 'utf8').split('\n').filter(Boolean);
  const found = lines.map((l) => ({ size: Buffer.byteLength(l), entry: JSON.parse(l) })).filter((l) => l.entry.type === 'response' && l.entry.request.id === requestId);
  assert.equal(found.length, 1, `one response entry for ${requestId} in ${file}`);
  return found[0];
}

const get = (path: string, query: Record<string, string>, token = reader, headers?: Record<string, string>) =>
  call(server.address, 'GET', `${path}?${new URLSearchParams(query)}`, { token, headers });

/** Sizes that grow by a few bytes per query (a seq or two more), never by the size of what came before. */
function assertBounded(sizes: readonly number[], what: string): void {
  for (let i = 1; i < sizes.length; i++) assert.ok(sizes[i] - sizes[i - 1] < 200, `${what}: ${sizes.join(', ')}`);
  assert.ok(Math.max(...sizes) < 8192, `${what}: ${sizes.join(', ')}`);
}

test('querying the journal\'s own entries again and again: every entry stays small and names the request, its path and the seqs returned', async () => {
  const sizes: Record<string, number[]> = { 'audit.log': [], 'raw.log': [], journal: [] };
  const checks: { seqs: number[]; entries: any[] }[] = [];
  // Each query returns its own request entry and every earlier query's two entries.
  let returned = -1;
  for (let i = 0; i < 12; i++) {
    const format = i % 2 === 0 ? 'json' : 'raw';
    const r = await get('sys/journal/records', { path_prefix: 'sys/journal/', limit: '1000', format });
    assert.equal(r.status, 200, r.text);
    const records = r.json.data.records as { seq: number; record?: { request: { id: string } }; text?: string }[];
    // The client gets every earlier query's entries, in full.
    assert.ok(records.length >= returned + 2, `query ${i} returned ${records.length}`);
    returned = records.length;
    assert.ok(records.every((x) => (format === 'json' ? typeof x.record?.request.id === 'string' : typeof x.text === 'string')));
    const entries = ['audit.log', 'raw.log'].map((file) => {
      const { size, entry } = responseLine(file, r.json.request_id);
      sizes[file].push(size);
      return entry;
    });
    // The journal's own record of the response.
    const own = await get('sys/journal/records', { request_id: r.json.request_id, kind: 'vault-response', format: 'raw' }, server.rootToken);
    const text = own.json.data.records[0].text as string;
    sizes.journal.push(Buffer.byteLength(text));
    checks.push({ seqs: records.map((x) => x.seq), entries: [...entries, JSON.parse(text)] });
  }
  for (const [what, list] of Object.entries(sizes)) assertBounded(list, what);
  for (const { seqs, entries } of checks) {
    for (const entry of entries) {
      assert.equal(entry.request.path, 'sys/journal/records');
      assert.deepEqual(entry.response.data.records, { count: seqs.length, seqs });
      assert.equal(entry.response.data.next_cursor, null);
    }
  }
});

test('a timeline of the reader\'s own token, again and again: its entries stay small and name the groups and seqs', async () => {
  const sizes: number[] = [];
  for (let i = 0; i < 8; i++) {
    const r = await get('sys/journal/timeline', { accessor: readerAccessor });
    assert.equal(r.status, 200, r.text);
    const groups = r.json.data.groups as { request_id: string; records: { seq: number; record: unknown }[] }[];
    assert.ok(groups.length > i && groups.every((g) => g.records.every((x) => typeof x.record === 'object')));
    const { size, entry } = responseLine('raw.log', r.json.request_id);
    sizes.push(size);
    assert.equal(entry.request.path, 'sys/journal/timeline');
    assert.deepEqual(entry.response.data, {
      groups: groups.length, records: { count: groups.flatMap((g) => g.records).length, seqs: groups.flatMap((g) => g.records.map((x) => x.seq)) }, truncated: false, next_since: null, next_cursor: null,
    });
  }
  assertBounded(sizes, 'timeline');
});

test('a wrapped query: the unwrap gives the records in full, and its entry names them by seq', async () => {
  const wrapped = await get('sys/journal/records', { path_prefix: 'sys/journal/', limit: '1000' }, reader, { 'x-vault-wrap-ttl': '5m' });
  assert.equal(wrapped.status, 200, wrapped.text);
  const unwrapped = await call(server.address, 'POST', 'sys/wrapping/unwrap', { token: wrapped.json.wrap_info.token });
  assert.equal(unwrapped.status, 200, unwrapped.text);
  const records = unwrapped.json.data.records as { seq: number; record: unknown }[];
  assert.ok(records.length > 20 && records.every((x) => typeof x.record === 'object'));
  const { size, entry } = responseLine('raw.log', unwrapped.json.request_id);
  assert.equal(entry.request.path, 'sys/wrapping/unwrap');
  assert.deepEqual(entry.response.data.records, { count: records.length, seqs: records.map((x) => x.seq) });
  assert.ok(size < 8192, `${size}`);
});

test('the ledger\'s entry bundles: the entry of a read carries none of the bundle', async () => {
  // A checkpoint may cover only the first records yet (the start's): wait for one that covers the
  // tests' queries before this one, so that the bundle holds a few entries' worth.
  let size = 0;
  let last = '';
  for (let i = 0; i < 100 && !(size >= 16); i++) {
    const cp = await call(server.address, 'GET', 'sys/ledger/checkpoint', { token: reader });
    last = `${cp.status} ${cp.text}`;
    size = cp.status === 200 ? Number(cp.text.split('\n')[1]) : 0;
    if (!(size >= 16)) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(size >= 16, `a checkpoint covering the records before was published; the last answer: ${last}`);
  // The first bundle: full once the log holds 256 records, partial (its canonical name) before.
  const path = size >= 256 ? 'sys/ledger/tile/entries/000' : `sys/ledger/tile/entries/000.p/${size}`;
  const res = await fetch(`${server.address}/v1/${path}`, { headers: { 'x-vault-token': reader } });
  assert.equal(res.status, 200);
  const bundle = Buffer.from(await res.arrayBuffer());
  const requestId = await lastRequestId(path);
  const { size: lineSize, entry } = responseLine('raw.log', requestId);
  assert.equal(entry.response.data, undefined);
  assert.ok(lineSize < 4096 && bundle.length > 4 * lineSize, `entry ${lineSize} bytes, bundle ${bundle.length}`);
});

/** The request id of the newest request to `path` in the log_raw device's log. */
async function lastRequestId(path: string): Promise<string> {
  const lines = readFileSync(join(server.dir, 'raw.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const found = lines.filter((e) => e.type === 'request' && e.request.path === path).at(-1);
  assert.ok(found, `a request entry for ${path}`);
  return found.request.id as string;
}
