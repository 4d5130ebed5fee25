/**
 * Acceptance (audit issue): an http receiver slower than audit_block_timeout holds a request at
 * most that long, retries end there, and a refused request's entry is neither counted as recorded
 * nor delivered again and again. Real server, audit_block_timeout = 1s, a receiver that answers
 * after 5 s.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { httpCollector } from '../helpers/listeners.js';

const BLOCK_MS = 1000;
const SLOW_MS = 5000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

let server: TestServer;
let dir: string;
let receiver: Awaited<ReturnType<typeof httpCollector>>;
/** Every POST the receiver got, answered or not. */
const posts: { batchId: string; body: string }[] = [];
let delayMs = 0;
const timers = new Set<NodeJS.Timeout>();

const api = (method: string, path: string, body?: unknown) => call(server.address, method, path, { token: server.rootToken, body });
async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await fn();
  return [result, performance.now() - started];
}
const metric = async (line: RegExp) => Number(line.exec((await call(server.address, 'GET', 'sys/metrics')).text)?.[1]);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-audit-http-'));
  writeFileSync(join(dir, 'server.hcl'), `unauthenticated_metrics_access = true\naudit_block_timeout = "${BLOCK_MS / 1000}s"\n`);
  server = await startDevServer({ configPath: join(dir, 'server.hcl'), devDataDir: dir, journal: false });
  receiver = await httpCollector((req, res, body) => {
    posts.push({ batchId: String(req.headers['x-sealtrail-batch-id']), body });
    const timer = setTimeout(() => { timers.delete(timer); res.writeHead(204).end(); }, delayMs);
    timers.add(timer);
    return true;
  });
  assert.equal((await api('PUT', 'sys/audit/siem', { type: 'http', options: { uri: receiver.url } })).status, 204);
});
after(async () => {
  for (const t of timers) clearTimeout(t);
  await server?.stop();
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('a header value HTTP cannot carry ("Bearer …", a control character) is refused when the device is enabled: 400 naming the header, not its value', async () => {
  for (const value of ['Bearer s3cr3t-\u2026', 'Bearer s3cr3t-\u0007']) {
    const r = await api('PUT', 'sys/audit/siem-2', { type: 'http', options: { uri: receiver.url, headers: JSON.stringify({ Authorization: [value] }) } });
    assert.deepEqual([r.status, r.json], [400, { errors: ['http audit device: option "headers" values of "Authorization" must be Latin-1 text: only tab, U+0020–U+007E and U+0080–U+00FF'] }]);
  }
  assert.equal((await api('GET', 'sys/audit')).json.data['siem-2/'], undefined);
});

test('a receiver slower than audit_block_timeout holds a request at most that long, behind a healthy file device', async () => {
  delayMs = SLOW_MS;
  const [first, firstMs] = await timed(() => api('POST', 'secret/data/slow-0', { data: { v: '0' } }));
  assert.equal(first.status, 200);
  // The request entry waits out the block timeout once; the response entry does not wait again.
  assert.ok(firstMs >= BLOCK_MS - 50 && firstMs < BLOCK_MS + 600, `first request took ${firstMs} ms`);
  const ids = [first.json.request_id as string];
  for (let i = 1; i <= 3; i++) {
    const [r, ms] = await timed(() => api('POST', `secret/data/slow-${i}`, { data: { v: String(i) } }));
    assert.equal(r.status, 200);
    assert.ok(ms < BLOCK_MS, `request ${i} took ${ms} ms while the receiver is known to be failing`);
    ids.push(r.json.request_id);
  }
  const health = await call(server.address, 'GET', 'sys/health');
  assert.deepEqual(health.json.audit_devices_failing, ['siem/']);
  const entries = readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  for (const id of ids) assert.equal(entries.filter((e) => e.request.id === id).length, 2, id);
  for (const p of posts) assert.match(p.batchId, UUID);
  assert.equal(new Set(posts.map((p) => p.batchId)).size, posts.length, 'no batch was retried past its deadline');
});

test('a refused request: its entry reaches the receiver once and is not counted as recorded', async () => {
  // Recover the receiver, then leave it as the only device.
  delayMs = 0;
  // The slow batches still queued ahead must drain first: wait (bounded) until a write succeeds.
  const deadline = Date.now() + 20_000;
  while ((await call(server.address, 'GET', 'sys/health')).json.audit_devices_failing.length > 0) {
    assert.ok(Date.now() < deadline, 'the receiver records again once it answers at once');
    await api('GET', 'sys/mounts');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal((await api('DELETE', 'sys/audit/file')).status, 204);
  delayMs = SLOW_MS;
  const success = /^sealtrail_audit_device_writes_total\{path="siem\/",result="success"\} (\d+)$/m;
  const unrecorded = /^sealtrail_audit_entries_unrecorded_total (\d+)$/m;
  const [successBefore, unrecordedBefore] = [await metric(success), await metric(unrecorded)];

  const [refused, ms] = await timed(() => api('POST', 'secret/data/refused', { data: { v: 'never' } }));
  assert.equal(refused.status, 500);
  assert.deepEqual(refused.json, { errors: ['internal error'] });
  assert.ok(ms < BLOCK_MS + 600, `refused after ${ms} ms`);
  // Long enough for the old retry schedule to have sent it again.
  await new Promise((r) => setTimeout(r, 1500));
  const carrying = posts.filter((p) => p.body.includes('"path":"secret/data/refused"'));
  assert.equal(carrying.length, 1, 'one POST of the refused request entry, no retry after the deadline');
  assert.equal(await metric(success), successBefore, 'the late receiver did not confirm it');
  assert.equal(await metric(unrecorded), unrecordedBefore + 1);

  delayMs = 0;
  const ok = await api('POST', 'secret/data/refused', { data: { v: 'lands' } });
  assert.equal(ok.status, 200);
  assert.equal(ok.json.data.version, 1, 'the refused write was never applied');
});
