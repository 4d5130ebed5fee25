/**
 * Acceptance (audit issue): a blocking device is released after the configured timeout;
 * rotation and SIGHUP reopen under concurrent load lose and duplicate no line; devices declared in
 * the config file are applied and immutable through the API; API creation needs
 * allow_api_audit_creation; executable modes and unapproved prefixes are refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer, type RunningServer } from '../../src/app/run.js';
import { call } from '../helpers/server.js';
import { httpCollector } from '../helpers/listeners.js';

async function initialized(config: string): Promise<{ server: RunningServer; token: string; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-audit-'));
  const path = join(dir, 'config.hcl');
  writeFileSync(path, config.replaceAll('$DIR', dir));
  const server = await runServer({ configPath: path, handleSignals: false, out: () => {} });
  const init = await call(server.address, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
  await call(server.address, 'PUT', 'sys/unseal', { body: { key: init.json.keys[0] } });
  await call(server.address, 'POST', 'sys/mounts/secret', { token: init.json.root_token, body: { type: 'kv-v2' } });
  return { server, token: init.json.root_token, dir };
}

const LISTENER_ONLY = 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n}\nlog_level = "error"\n';
const LISTENER = `${LISTENER_ONLY}storage "inmem" {}\n`;

test('config-declared devices are applied, immutable via the API; API creation and risky options are refused', async () => {
  const { server, token, dir } = await initialized(`${LISTENER}
audit "file" "declared/" {
  description = "from the config file"
  options = { file_path = "$DIR/declared.log" }
}
`);
  try {
    const base = server.address;
    const list = await call(base, 'GET', 'sys/audit', { token });
    assert.equal(list.json.data['declared/'].description, 'from the config file');
    const r = await call(base, 'GET', 'sys/mounts', { token });
    assert.ok(readFileSync(join(dir, 'declared.log'), 'utf8').includes(r.json.request_id));

    const disable = await call(base, 'DELETE', 'sys/audit/declared', { token });
    assert.equal(disable.status, 400);
    assert.match(disable.json.errors[0], /config/);
    const replace = await call(base, 'PUT', 'sys/audit/declared', { token, body: { type: 'file', options: { file_path: join(dir, 'x.log') } } });
    assert.ok(replace.status >= 400);

    const create = await call(base, 'PUT', 'sys/audit/api', { token, body: { type: 'file', options: { file_path: join(dir, 'api.log') } } });
    assert.equal(create.status, 403);
    assert.match(create.json.errors[0], /allow_api_audit_creation/);
    assert.deepEqual(Object.keys((await call(base, 'GET', 'sys/audit', { token })).json.data), ['declared/', 'journal/']);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('init refuses, before making any key, when a config-declared device cannot be opened', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-audit-'));
  const path = join(dir, 'config.hcl');
  writeFileSync(join(dir, 'not-a-dir'), '');
  writeFileSync(path, `${LISTENER_ONLY}storage "sqlite" {\n  path = "${join(dir, 'data', 'db')}"\n}\naudit "file" "declared/" {\n  options = { file_path = "${join(dir, 'not-a-dir', 'audit.log')}" }\n}\n`);
  const server = await runServer({ configPath: path, handleSignals: false, out: () => {} });
  try {
    const init = await call(server.address, 'PUT', 'sys/init', { body: { secret_shares: 1, secret_threshold: 1 } });
    assert.equal(init.status, 400);
    assert.match(init.json.errors[0], /^file audit device: cannot open ".*not-a-dir\/audit\.log" for appending \(ENOTDIR\)$/);
    // Nothing was persisted: the operator fixes the path and initializes then, with keys in hand.
    assert.equal((await call(server.address, 'GET', 'sys/init')).json.initialized, false);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('with API creation allowed: executable modes and prefixes without allow_audit_log_prefixing are refused', async () => {
  const { server, token, dir } = await initialized(`${LISTENER}allow_api_audit_creation = true\n`);
  try {
    const base = server.address;
    const exec = await call(base, 'PUT', 'sys/audit/f', { token, body: { type: 'file', options: { file_path: join(dir, 'a.log'), mode: '0755' } } });
    assert.equal(exec.status, 400);
    assert.match(exec.json.errors[0], /execute/);
    const prefix = await call(base, 'PUT', 'sys/audit/f', { token, body: { type: 'file', options: { file_path: join(dir, 'a.log'), prefix: '#!/bin/sh\n' } } });
    assert.equal(prefix.status, 400);
    assert.match(prefix.json.errors[0], /allow_audit_log_prefixing/);
    assert.deepEqual(Object.keys((await call(base, 'GET', 'sys/audit', { token })).json.data), ['journal/'], 'nothing but the journal');
    const ok = await call(base, 'PUT', 'sys/audit/f', { token, body: { type: 'file', options: { file_path: join(dir, 'a.log') } } });
    assert.equal(ok.status, 204);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a blocking device holds a request only until audit_block_timeout, then counts as failed', async () => {
  let answered = 0;
  const hang = await httpCollector(() => ++answered > 1); // answers the enable test entry, then never again
  const { server, token, dir } = await initialized(`${LISTENER}allow_api_audit_creation = true\naudit_block_timeout = "400ms"\n`);
  try {
    const base = server.address;
    assert.equal((await call(base, 'PUT', 'sys/audit/file', { token, body: { type: 'file', options: { file_path: join(dir, 'audit.log') } } })).status, 204);
    // The enable's own response entry is the first the device cannot record: it holds that request.
    const started = Date.now();
    const enable = await call(base, 'PUT', 'sys/audit/siem', { token, body: { type: 'http', options: { uri: hang.url, timeout: '30s' } } });
    const elapsed = Date.now() - started;
    assert.equal(enable.status, 204);
    assert.ok(elapsed >= 300 && elapsed < 5000, `held for ${elapsed} ms`);
    // Once it is failing, it holds no request that the file device recorded.
    const r = await call(base, 'POST', 'secret/data/blocked', { token, body: { data: { v: '1' } } });
    assert.equal(r.status, 200, 'the file device recorded the entries');
    assert.ok(readFileSync(join(dir, 'audit.log'), 'utf8').includes(r.json.request_id));
    const health = await call(base, 'GET', 'sys/health');
    assert.deepEqual(health.json.audit_devices_failing, ['siem/']);

    // Enabling a device that cannot record its test entry fails after the same bound.
    const t1 = Date.now();
    const refused = await call(base, 'PUT', 'sys/audit/siem2', { token, body: { type: 'http', options: { uri: hang.url, timeout: '30s' } } });
    assert.equal(refused.status, 400);
    assert.match(refused.json.errors[0], /could not record its test entry/);
    assert.ok(Date.now() - t1 < 5000, 'enable is bounded too');
  } finally {
    const t2 = Date.now();
    await server.close();
    assert.ok(Date.now() - t2 < 5000, `shutdown is bounded (${Date.now() - t2} ms)`);
    await hang.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('rotation and SIGHUP reopen under concurrent load lose and duplicate no line', async () => {
  const { server, token, dir } = await initialized(`${LISTENER}
audit "file" "file/" {
  options = { file_path = "$DIR/logs/audit.log", rotate_max_bytes = "20000", rotate_max_files = "0" }
}
`);
  try {
    const base = server.address;
    const ids: string[] = [];
    const N = 300;
    let reopened = 0;
    const writes = Array.from({ length: N }, async (_, i) => {
      const r = await call(base, 'POST', `secret/data/load-${i % 7}`, { token, body: { data: { i: String(i) } } });
      assert.equal(r.status, 200);
      ids.push(r.json.request_id);
      if (i % 60 === 30) {
        // what logrotate does: move the file away, then SIGHUP
        try {
          renameSync(join(dir, 'logs', 'audit.log'), join(dir, 'logs', `moved-${reopened}.log`));
          reopened++;
        } catch (err) {
          // our own size rotation may have just moved it: nothing to move this time
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        await server.reload();
      }
    });
    await Promise.all(writes);
    const files = readdirSync(join(dir, 'logs'));
    assert.ok(files.some((f) => /^audit\.log\.\d{8}T/.test(f)), `size rotation happened: ${files.join(', ')}`);
    assert.ok(files.some((f) => f.startsWith('moved-')), 'external rotation happened');
    const counts = new Map<string, number>();
    for (const f of files) {
      for (const line of readFileSync(join(dir, 'logs', f), 'utf8').split('\n').filter(Boolean)) {
        const e = JSON.parse(line);
        counts.set(e.request.id, (counts.get(e.request.id) ?? 0) + 1);
      }
    }
    for (const id of ids) assert.equal(counts.get(id), 2, `request ${id} has ${counts.get(id)} lines`);
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a device the server would refuse at unseal fails the start itself, named: no auto-unsealing server exits on it later', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-audit-'));
  try {
    const path = join(dir, 'config.hcl');
    writeFileSync(path, `${LISTENER}audit "file" "a/" {\n  options = { file_path = "${join(dir, 'a.log')}", mode = "0777" }\n}\naudit "file" "b" {\n  options = { file_path = "${join(dir, 'b.log')}" }\n}\naudit "socket" "b/" {\n  options = { address = "127.0.0.1:9" }\n}\naudit "file" "b/inner" {\n  options = { file_path = "${join(dir, 'c.log')}" }\n}\n`);
    // A server that does start is closed again, so the assertion fails rather than the test hanging.
    const started = runServer({ configPath: path, handleSignals: false, out: () => {} }).then(async (server) => { await server.close(); return server; });
    await assert.rejects(started, (err: Error) => {
      assert.equal(err.message, 'audit device "a/": file audit device: option "mode" must not grant execute permission (audit logs are never executable); audit device "b/inner/": its path overlaps the audit device at "b/"; audit device "b/" is declared twice');
      return true;
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
