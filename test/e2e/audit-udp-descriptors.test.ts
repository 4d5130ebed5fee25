/**
 * A syslog device over UDP whose receiver (a real rsyslogd) is down, in a server process started
 * under a low descriptor limit (`ulimit -n`): many requests later the server still has
 * descriptors to spare, the device writes again once rsyslog is back, and SIGTERM stops it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRsyslog, type Rsyslog } from '../helpers/rsyslog.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DESCRIPTOR_LIMIT = 256;

let child: ChildProcess | undefined;
let exited: Promise<number | null> = Promise.resolve(null);
let rsyslog: Rsyslog | undefined;
let dir = '';
let base = '';
let token = '';

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-udp-fd-'));
  rsyslog = await startRsyslog({ udp: true });
  const env = { ...process.env };
  for (const k of ['SEALTRAIL_ADDR', 'SEALTRAIL_TOKEN', 'VAULT_ADDR', 'VAULT_TOKEN']) delete env[k];
  const proc = spawn('/bin/sh', ['-c', `ulimit -n ${DESCRIPTOR_LIMIT} && exec "$0" --import tsx src/cli/main.ts server -dev -dev-listen-address=127.0.0.1:0 "-dev-data-dir=$1"`,
    process.execPath, join(dir, 'data')], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
  let out = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in time:\n${out}`)), 60_000);
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      base = /^Api Address: (\S+)$/m.exec(out)?.[1] ?? '';
      token = /^Root Token: (\S+)$/m.exec(out)?.[1] ?? '';
      if (base && token) { clearTimeout(timer); resolve(); }
    });
    proc.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the server exited (${code}):\n${out}`)); });
  });
});

after(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
  await rsyslog?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const api = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${base}/v1/${path}`, {
    method, headers: { 'x-vault-token': token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) as any };
};
const descriptors = () => readdirSync(`/proc/${child!.pid}/fd`).length;

test('an unreachable UDP receiver costs no descriptors; the device recovers; SIGTERM still stops the server', async () => {
  const r = rsyslog!;
  await r.stop();
  assert.equal((await api('PUT', 'sys/audit/syslog', { type: 'syslog', options: { address: `udp://127.0.0.1:${r.udpPort}` } })).status, 204);
  // Files the server opens once, on its first journal and CloudTrail queries (the journal's reader
  // thread, the event store's completion from the journal at the start), before counting.
  assert.equal((await api('GET', 'sys/journal/records?limit=1')).status, 200);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const before = descriptors();
  // More datagram batches than the descriptor limit: each leaked socket would use one up.
  for (let i = 0; i < DESCRIPTOR_LIMIT + 50; i++) {
    assert.equal((await api('GET', 'sys/mounts')).status, 200, 'the file device confirms every entry');
  }
  assert.ok(descriptors() <= before + 4, `descriptors ${before} → ${descriptors()} of ${DESCRIPTOR_LIMIT}`);
  const metrics = await fetch(`${base}/v1/sys/metrics`, { headers: { 'x-vault-token': token } }).then((res) => res.text());
  const failures = Number(/^sealtrail_audit_device_writes_total\{path="syslog\/",result="failure"\} (\d+)$/m.exec(metrics)?.[1]);
  assert.ok(failures > DESCRIPTOR_LIMIT, `${failures} syslog entries failed: the unreachable receiver is reported`);
  assert.deepEqual((await api('GET', 'sys/health')).json.audit_devices_failing, ['syslog/']);
  assert.match((await api('GET', 'sys/audit')).json.data['syslog/'].delivery, /^sent, not confirmed/);

  await r.start();
  let id = '';
  for (let i = 0; i < 50 && !r.lines().some((l) => id !== '' && l.includes(id)); i++) {
    id = (await api('GET', 'sys/mounts')).json.request_id;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  assert.ok(r.lines().some((l) => l.includes(id)), 'entries reach rsyslog again');

  child!.kill('SIGTERM');
  const timer = setTimeout(() => child?.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  assert.equal(code, 0, 'SIGTERM stopped the server cleanly');
});
