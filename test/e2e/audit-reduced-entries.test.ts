/**
 * An entry over a network device's `max_entry_bytes` reaches the receiver reduced, never not at
 * all: through the real server, a syslog device at rsyslog's default message size (8 KiB) beside
 * the file device. Reading a large secret, or a read padded with query parameters, arrives at
 * rsyslog as the same request — id, path, operation, accessor, outcome — without its data, with
 * `elided` giving the full entry's size; the file device keeps the whole entry.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { startRsyslog } from '../helpers/rsyslog.js';
import { call, startDevServer } from '../helpers/server.js';

interface Entry {
  type: 'request' | 'response';
  auth: { accessor?: string; metadata?: Record<string, string> };
  request: { id: string; path: string; operation: string; data?: Record<string, unknown> };
  response?: { data?: Record<string, unknown> };
  error?: string;
  elided?: { entry_bytes: number };
}

const ENTRY = /^<\d+>1 \S+ \S+ \S+ \d+ audit - (.*)$/s;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('entries over a syslog device\'s max_entry_bytes arrive reduced: the request, without its data', { timeout: 60_000 }, async () => {
  const rsyslog = await startRsyslog();
  const server = await startDevServer({ journal: false });
  try {
    const token = server.rootToken;
    const enable = await call(server.address, 'PUT', 'sys/audit/syslog', { token, body: { type: 'syslog', options: { address: `tcp://127.0.0.1:${rsyslog.tcpPort}` } } });
    assert.equal(enable.status, 204, enable.text);
    // A child token with metadata, as any caller can make one.
    const child = await call(server.address, 'POST', 'auth/token/create', { token, body: { policies: ['default'], meta: { team: 'payments', note: 'n'.repeat(2000) } } });
    assert.equal(child.status, 200, child.text);

    const fields = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`field${i}`, `value ${i}`]));
    const written = await call(server.address, 'POST', 'secret/data/large', { token, body: { data: fields } });
    assert.equal(written.status, 200, written.text);
    const read = await call(server.address, 'GET', 'secret/data/large', { token });
    assert.equal(read.status, 200, read.text);
    const padded = await call(server.address, 'GET', `secret/data/small?${Array.from({ length: 200 }, (_, i) => `p${i}=${'x'.repeat(40)}`).join('&')}`, { token: child.json.auth.client_token });
    assert.equal(padded.status, 403, padded.text);

    const tiny = await call(server.address, 'POST', 'secret/data/tiny', { token, body: { data: { a: 'b' } } });
    assert.equal(tiny.status, 200, tiny.text);

    const fileEntries = (): Entry[] => readFileSync(join(server.dir, 'audit.log'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Entry);
    const syslogEntries = (): Entry[] => rsyslog.lines().map((line) => {
      const m = ENTRY.exec(line);
      assert.ok(m, `not an RFC 5424 audit message: ${line.slice(0, 80)}`);
      return JSON.parse(m[1]) as Entry;
    });
    // A refusal's body carries no request id; the file device's entry for the path does.
    const paddedId = fileEntries().find((e) => e.request.path === 'secret/data/small')!.request.id;
    const ids = [written.json.request_id as string, read.json.request_id as string, paddedId];
    for (let i = 0; i < 100 && syslogEntries().filter((e) => [...ids, tiny.json.request_id].includes(e.request.id)).length < 8; i++) await sleep(50);

    const byId = (entries: Entry[], id: string, type: Entry['type']) => entries.find((e) => e.request.id === id && e.type === type);
    for (const [id, type, dataOf] of [
      [ids[0], 'request', (e: Entry) => e.request.data],
      [ids[1], 'response', (e: Entry) => e.response?.data],
      [ids[2], 'request', (e: Entry) => e.request.data],
    ] as const) {
      const full = byId(fileEntries(), id, type);
      const reduced = byId(syslogEntries(), id, type);
      assert.ok(full, `the file device has the ${type} entry of ${id}`);
      assert.ok(reduced, `rsyslog received the ${type} entry of ${id}`);
      assert.ok(dataOf(full), 'the file device keeps the data');
      assert.equal(dataOf(reduced), undefined, 'the reduced entry has no data');
      assert.ok(reduced.elided && reduced.elided.entry_bytes > 8192, `elided: ${JSON.stringify(reduced.elided)}`);
      assert.equal(full.elided, undefined);
      assert.deepEqual([reduced.request.path, reduced.request.operation, reduced.error], [full.request.path, full.request.operation, full.error]);
      // Salted by another device: present, not equal.
      assert.match(reduced.auth.accessor ?? '', /^hmac-sha256:[0-9a-f]{64}$/);
    }
    // The padded read was the child token's: its metadata is what the reduced entry leaves out.
    assert.ok(byId(fileEntries(), ids[2], 'request')?.auth.metadata?.note);
    assert.equal(byId(syslogEntries(), ids[2], 'request')?.auth.metadata, undefined);
    // Entries that fit arrive whole.
    const small = byId(syslogEntries(), tiny.json.request_id, 'response');
    assert.ok(small?.response?.data && small.elided === undefined, JSON.stringify(small).slice(0, 200));
  } finally {
    await server.stop();
    await rsyslog.close();
  }
});
