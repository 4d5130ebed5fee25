/**
 * Acceptance (audit issue) through the real server: secrets never in plaintext outside log_raw
 * devices, sys/audit-hash finds them, request/response pairs share request.id, real network
 * sinks receive lines, fail-closed and recovery, blocking devices bounded by the timeout.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { httpCollector, tcpCollector, udpCollector } from '../helpers/listeners.js';

let server: TestServer;
let base: string;
let token: string;
const api = (method: string, path: string, body?: unknown) => call(base, method, path, { token, body });
/** The device's write resolves when the kernel took the bytes; the listener reads them a moment later. */
async function until(cond: () => boolean, ms = 2000) {
  for (const end = Date.now() + ms; !cond(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) assert.fail('condition not met in time');
  }
}
const fileLines = (name: string) => readFileSync(join(server.dir, name), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** The server's data dir, which also holds its config file; removed after the tests. */
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-audit-'));
  const configPath = join(dir, 'metrics.hcl');
  writeFileSync(configPath, 'unauthenticated_metrics_access = true\n');
  server = await startDevServer({ configPath, devDataDir: dir, journal: false });
  base = server.address;
  token = server.rootToken;
});
after(async () => {
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('dev mode starts with a file device at <data dir>/audit.log', async () => {
  const list = await api('GET', 'sys/audit');
  assert.equal(list.json.data['file/'].type, 'file');
  assert.equal(list.json.data['file/'].options.file_path, join(server.dir, 'audit.log'));
});

test('a KV secret never appears in plaintext except with log_raw; audit-hash finds it; pairs share request.id', async () => {
  const tcp = await tcpCollector();
  try {
    assert.equal((await api('PUT', 'sys/audit/raw', { type: 'file', options: { file_path: join(server.dir, 'raw.log'), log_raw: true } })).status, 204);
    assert.equal((await api('PUT', 'sys/audit/net', { type: 'socket', options: { address: `127.0.0.1:${tcp.port}`, socket_type: 'tcp' } })).status, 204);
    const secret = 'correct-horse-battery-staple-91c2';
    const write = await api('POST', 'secret/data/payments', { data: { api_key: secret, nested: { list: [secret, 7, true] } } });
    assert.equal(write.status, 200);
    const read = await api('GET', 'secret/data/payments');
    assert.equal(read.json.data.data.api_key, secret);

    const hashed = (await api('POST', 'sys/audit-hash/file', { input: secret })).json;
    assert.match(hashed.hash, /^hmac-sha256:[0-9a-f]{64}$/);
    assert.equal(hashed.data.hash, hashed.hash);

    const fileText = readFileSync(join(server.dir, 'audit.log'), 'utf8');
    assert.ok(!fileText.includes(secret), 'file device must not hold the plaintext');
    await until(() => tcp.text().includes(read.json.request_id));
    assert.ok(!tcp.text().includes(secret), 'socket device must not hold the plaintext');
    assert.ok(!fileText.includes(token) && !tcp.text().includes(token), 'no device holds the root token');
    assert.ok(readFileSync(join(server.dir, 'raw.log'), 'utf8').includes(secret), 'log_raw device holds it');

    const entries = fileLines('audit.log');
    const readResponse = entries.find((e) => e.type === 'response' && e.request.id === read.json.request_id);
    assert.ok(readResponse, 'response entry of the read');
    assert.equal(readResponse.response.data.data.api_key, hashed.hash);
    const readRequest = entries.find((e) => e.type === 'request' && e.request.id === read.json.request_id);
    assert.ok(readRequest, 'request entry of the read');
    assert.equal(readRequest.request.path, 'secret/data/payments');
    assert.equal(readRequest.request.namespace.id, 'root');
    // Every request id in the log appears as exactly one request and one response entry.
    const byId = new Map<string, string[]>();
    for (const e of entries) byId.set(e.request.id, [...(byId.get(e.request.id) ?? []), e.type]);
    for (const [id, types] of byId) {
      if (entries.find((e) => e.request.id === id)?.request.path === 'sys/audit/test') continue;
      assert.deepEqual(types.sort(), ['request', 'response'], id);
    }
    // The socket device's hash of the same value differs (its own salt).
    const netHash = (await api('POST', 'sys/audit-hash/net', { input: secret })).json.hash;
    assert.notEqual(netHash, hashed.hash);
    assert.ok(tcp.text().includes(netHash));
  } finally {
    await api('DELETE', 'sys/audit/raw');
    await api('DELETE', 'sys/audit/net');
    await tcp.close();
  }
});

test('syslog (UDP, RFC 5424) and http (batched JSON lines) devices receive entries', async () => {
  const udp = await udpCollector();
  const http = await httpCollector();
  try {
    assert.equal((await api('PUT', 'sys/audit/syslog', { type: 'syslog', options: { address: `udp://127.0.0.1:${udp.port}`, facility: 'AUTH', tag: 'sealtrail' } })).status, 204);
    // OpenBao's http device options: uri, and headers as a map of names to lists of values.
    assert.equal((await api('PUT', 'sys/audit/siem', { type: 'http', options: { uri: http.url, headers: JSON.stringify({ authorization: ['Bearer siem-token'] }) } })).status, 204);
    // Listing the devices names the headers but never shows their values.
    const listed = await api('GET', 'sys/audit');
    assert.deepEqual(listed.json.data['siem/'].options, { uri: http.url, headers: '{"authorization":["<redacted>"]}' });
    assert.ok(!JSON.stringify(listed.json).includes('siem-token'));
    const r = await api('GET', 'sys/mounts');
    assert.equal(r.status, 200);
    const rfc5424 = /^<38>1 \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?(Z|[+-]\d\d:\d\d) \S+ sealtrail \d+ \S+ - (\{.*\})$/;
    const msgs = udp.messages.map((m) => rfc5424.exec(m));
    assert.ok(msgs.length >= 2 && msgs.every(Boolean), `RFC 5424 messages: ${udp.messages[0]}`);
    assert.ok(msgs.some((m) => JSON.parse(m![3]).request?.id === r.json.request_id));
    const ids = http.lines().map((l) => JSON.parse(l).request?.id);
    assert.ok(ids.includes(r.json.request_id));
    assert.equal(http.requests[0].headers.authorization, 'Bearer siem-token');
    assert.match(String(http.requests[0].headers['content-type']), /ndjson/);
  } finally {
    await api('DELETE', 'sys/audit/syslog');
    await api('DELETE', 'sys/audit/siem');
    await udp.close();
    await http.close();
  }
});

test('fail-closed: with only a dead socket device a write is refused and not applied; it recovers without restart', async () => {
  const tcp = await tcpCollector();
  try {
    assert.equal((await api('PUT', 'sys/audit/only', { type: 'socket', options: { address: `127.0.0.1:${tcp.port}`, socket_type: 'tcp', write_timeout: '500ms' } })).status, 204);
    assert.equal((await api('DELETE', 'sys/audit/file')).status, 204);
    await tcp.stop();
    await new Promise((r) => setTimeout(r, 50));

    const refused = await api('POST', 'secret/data/failclosed', { data: { v: 'must-not-land' } });
    assert.equal(refused.status, 500);
    assert.deepEqual(refused.json, { errors: ['internal error'] });
    const health = await call(base, 'GET', 'sys/health');
    assert.deepEqual(health.json.audit_devices_failing, ['only/']);
    // sys/metrics is audited unless unauthenticated_metrics_access is set (as here): then it
    // stays readable while no device can record anything.
    const metrics = await call(base, 'GET', 'sys/metrics');
    assert.equal(metrics.status, 200);
    assert.match(metrics.text, /sealtrail_audit_device_writes_total\{path="only\/",result="failure"\} [1-9]/);

    await tcp.restart();
    const ok = await api('POST', 'secret/data/failclosed', { data: { v: 'lands' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.json.data.version, 1, 'the refused write was never applied');
    await until(() => tcp.text().includes(ok.json.request_id));
  } finally {
    await tcp.restart(); // an audited cleanup needs a device that records
    await api('PUT', 'sys/audit/file', { type: 'file', options: { file_path: join(server.dir, 'audit.log') } });
    await api('DELETE', 'sys/audit/only');
    await tcp.close();
  }
});

test('a file device and a failing device together: requests succeed and the file holds every entry', async () => {
  const tcp = await tcpCollector();
  await api('PUT', 'sys/audit/flaky', { type: 'socket', options: { address: `127.0.0.1:${tcp.port}`, socket_type: 'tcp', write_timeout: '500ms' } });
  await tcp.stop();
  await new Promise((r) => setTimeout(r, 50));
  try {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await api('POST', `secret/data/tolerant-${i}`, { data: { v: String(i) } });
      assert.equal(r.status, 200);
      ids.push(r.json.request_id);
    }
    const entries = fileLines('audit.log');
    for (const id of ids) assert.equal(entries.filter((e) => e.request.id === id).length, 2, id);
  } finally {
    await api('DELETE', 'sys/audit/flaky');
    await tcp.close();
  }
});
