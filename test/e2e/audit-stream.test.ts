/**
 * The socket device through the real server when its peer misbehaves under load: a peer that
 * never reads, and a peer killed mid-load. Every request answered 2xx must have its request and
 * response entries with a device that recorded them — the file device when it is enabled (only a
 * confirming device acknowledges), the socket peer otherwise — and what a lost connection took
 * must be counted in sys/metrics and sys/health.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let base: string;
let token: string;
let dir: string;
const api = (method: string, path: string, body?: unknown) => call(base, method, path, { token, body });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-audit-stream-'));
  const configPath = join(dir, 'metrics.hcl');
  writeFileSync(configPath, 'unauthenticated_metrics_access = true\n');
  server = await startDevServer({ configPath, devDataDir: dir, logLevel: 'fatal', journal: false });
  base = server.address;
  token = server.rootToken;
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** A TCP peer for the socket device: it can stop reading, read again, or die (RST, as kill -9). */
interface Peer {
  port: number;
  /** Complete lines received, parsed. */
  entries(): { type: string; request: { id: string } }[];
  resume(): void;
  kill(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
}

async function startPeer(opts: { reading: boolean }): Promise<Peer> {
  let text = '';
  let reading = opts.reading;
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = (port: number) => new Promise<number>((resolve) => {
    const s = createServer((socket) => {
      sockets.add(socket);
      socket.setEncoding('utf8');
      socket.on('data', (d: string) => { text += d; });
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      if (!reading) socket.pause();
    });
    server = s;
    s.listen(port, '127.0.0.1', () => resolve((s.address() as { port: number }).port));
  });
  const stopListening = () => new Promise<void>((resolve) => { if (server) server.close(() => resolve()); else resolve(); server = undefined; });
  const port = await listen(0);
  return {
    port,
    entries: () => text.split('\n').slice(0, -1).map((l) => JSON.parse(l)),
    resume() { reading = true; for (const s of sockets) s.resume(); },
    async kill() {
      for (const s of sockets) s.resetAndDestroy();
      await stopListening();
    },
    async restart() {
      reading = true;
      if (!server) await listen(port);
    },
    async close() {
      for (const s of sockets) s.destroy();
      await stopListening();
    },
  };
}

/** Waits until `read()` stops changing for 300 ms (bounded by `ms`). */
async function settled(read: () => number, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  let last = -1;
  let since = Date.now();
  while (Date.now() - since < 300) {
    if (Date.now() > end) assert.fail('still changing');
    const now = read();
    if (now !== last) { last = now; since = Date.now(); }
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** `n` KV writes, `concurrency` at a time, each with a `valueBytes` value; `onDone` sees the count finished. */
async function load(n: number, concurrency: number, valueBytes: number, onDone?: (finished: number) => Promise<void> | void) {
  const results: { status: number; id?: string }[] = [];
  let next = 0;
  const value = 'v'.repeat(valueBytes);
  async function worker() {
    while (next < n) {
      const i = next++;
      const res = await fetch(`${base}/v1/secret/data/stream-${i % 50}`, {
        method: 'POST', headers: { 'x-vault-token': token, 'content-type': 'application/json' },
        body: JSON.stringify({ data: { value } }), signal: AbortSignal.timeout(20_000),
      });
      const body = await res.json() as { request_id?: string };
      results.push({ status: res.status, id: body.request_id });
      await onDone?.(results.length);
    }
  }
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}

/** Request ids that do not have both their request and their response entry in `entries`. */
function missing(ids: readonly string[], entries: readonly { type: string; request: { id: string } }[]): string[] {
  const seen = new Map<string, Set<string>>();
  for (const e of entries) {
    const kinds = seen.get(e.request.id) ?? new Set<string>();
    kinds.add(e.type);
    seen.set(e.request.id, kinds);
  }
  return ids.filter((id) => !(seen.get(id)?.has('request') && seen.get(id)?.has('response')));
}

const fileEntries = () => readFileSync(join(dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const metric = (text: string, name: string) => Number(new RegExp(`^${name.replace(/[{}]/g, '\\$&')} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
const enableSocket = (port: number) => api('PUT', 'sys/audit/sock', {
  type: 'socket', options: { address: `127.0.0.1:${port}`, socket_type: 'tcp', write_timeout: '200ms', log_raw: 'true' },
});

test('a peer that never reads, with a file device: every 2xx is in the file; the socket\'s failures are counted', async () => {
  const peer = await startPeer({ reading: false });
  try {
    assert.equal((await enableSocket(peer.port)).status, 204);
    // 240 entries of 64 KiB: far more than the kernel buffers of a peer that does not read.
    const results = await load(240, 8, 64 * 1024);
    assert.deepEqual(results.filter((r) => r.status !== 200), [], 'the file device confirms every entry');
    assert.deepEqual(missing(results.map((r) => r.id!), fileEntries()), []);
    const metrics = (await call(base, 'GET', 'sys/metrics')).text;
    assert.ok(metric(metrics, 'sealtrail_audit_device_writes_total{path="sock/",result="failure"}') > 0, 'the stalled socket device failed writes');
    assert.equal(metric(metrics, 'sealtrail_audit_entries_unconfirmed_total'), 0);
    const health = (await call(base, 'GET', 'sys/health')).json;
    assert.deepEqual(health.audit_devices_failing, ['sock/']);
    assert.equal(health.audit_delivery_confirmed, true);
    peer.resume();
    await settled(() => peer.entries().length);
  } finally {
    await api('DELETE', 'sys/audit/sock');
    await peer.close();
  }
});

test('a peer that never reads, socket only: once it drains, every 2xx has both entries at the peer; the rest were refused', async () => {
  const peer = await startPeer({ reading: false });
  try {
    assert.equal((await enableSocket(peer.port)).status, 204);
    assert.equal((await api('DELETE', 'sys/audit/file')).status, 204);
    const listed = (await api('GET', 'sys/audit')).json;
    assert.equal(listed.data['sock/'].delivery, 'sent');
    assert.match(listed.warnings[0], /^no enabled audit device confirms delivery/);
    const health = (await call(base, 'GET', 'sys/health')).json;
    assert.equal(health.audit_delivery_confirmed, false);
    assert.match(health.audit_warnings[0], /^no enabled audit device confirms delivery/);

    const results = await load(240, 8, 64 * 1024);
    const ok = results.filter((r) => r.status === 200);
    assert.ok(ok.length > 0 && ok.length < results.length, `${ok.length} of ${results.length} acknowledged before the kernel's buffers filled`);
    assert.ok(results.every((r) => r.status === 200 || r.status === 500));
    const metrics = (await call(base, 'GET', 'sys/metrics')).text;
    assert.ok(metric(metrics, 'sealtrail_audit_entries_unconfirmed_total') >= ok.length * 2, 'acknowledged on sent devices only: counted');
    peer.resume();
    await settled(() => peer.entries().length);
    assert.deepEqual(missing(ok.map((r) => r.id!), peer.entries()), [], 'nothing acknowledged was dropped with the stalled connection');
  } finally {
    await api('PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
    await api('DELETE', 'sys/audit/sock');
    await peer.close();
  }
});

test('a peer killed under load, with a file device: every 2xx is in the file; the lost connection is counted', async () => {
  const peer = await startPeer({ reading: true });
  try {
    assert.equal((await enableSocket(peer.port)).status, 204);
    const results = await load(300, 8, 2048, async (finished) => { if (finished === 100) await peer.kill(); });
    assert.deepEqual(results.filter((r) => r.status !== 200), []);
    assert.deepEqual(missing(results.map((r) => r.id!), fileEntries()), []);
    const metrics = (await call(base, 'GET', 'sys/metrics')).text;
    assert.equal(metric(metrics, 'sealtrail_audit_device_connections_lost_total{path="sock/"}'), 1);
    assert.ok(metric(metrics, 'sealtrail_audit_device_possibly_lost_entries_total{path="sock/"}') > 0);
    const health = (await call(base, 'GET', 'sys/health')).json;
    assert.deepEqual(health.audit_devices_failing, ['sock/']);
    assert.equal(health.audit_devices_lost_entries['sock/'].connections, 1);
    assert.ok(health.audit_devices_lost_entries['sock/'].possibly_lost_entries > 0);
  } finally {
    await peer.restart();
    await api('DELETE', 'sys/audit/sock');
    await peer.close();
  }
});

test('a peer killed under load, socket only: what reached no one is at most what was counted as possibly lost', async () => {
  const peer = await startPeer({ reading: true });
  try {
    assert.equal((await enableSocket(peer.port)).status, 204);
    assert.equal((await api('DELETE', 'sys/audit/file')).status, 204);
    const results = await load(300, 8, 2048, async (finished) => { if (finished === 100) await peer.kill(); });
    const ok = results.filter((r) => r.status === 200);
    assert.ok(ok.length >= 100 && ok.length < results.length, `${ok.length} acknowledged`);
    const metrics = (await call(base, 'GET', 'sys/metrics')).text;
    const lostEntries = metric(metrics, 'sealtrail_audit_device_possibly_lost_entries_total{path="sock/"}') +
      metric(metrics, 'sealtrail_audit_device_abandoned_entries_total{path="sock/"}');
    const gone = missing(ok.map((r) => r.id!), peer.entries());
    // Entries, not requests: a request missing both of its entries counts twice.
    assert.ok(gone.length <= lostEntries, `${gone.length} acknowledged requests lack entries; ${lostEntries} entries counted as possibly lost`);
    assert.ok(lostEntries > 0);
    const health = (await call(base, 'GET', 'sys/health')).json;
    assert.equal(health.audit_devices_lost_entries['sock/'].possibly_lost_entries, metric(metrics, 'sealtrail_audit_device_possibly_lost_entries_total{path="sock/"}'));
    assert.deepEqual(health.audit_devices_failing, ['sock/']);
    await peer.restart(); // GET sys/audit is audited: a device must record it
    await new Promise((r) => setTimeout(r, 100));
    const shown = (await api('GET', 'sys/audit')).json.data['sock/'];
    assert.deepEqual(shown.lost_entries, health.audit_devices_lost_entries['sock/']);
  } finally {
    await peer.restart();
    await api('PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(dir, 'audit.log') } });
    await api('DELETE', 'sys/audit/sock');
    await peer.close();
  }
});
