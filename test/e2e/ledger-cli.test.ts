/**
 * `sealtrail ledger` against the real server: the checkpoint, a proof bundle that verifies
 * offline, the whole log verified over HTTP (with the journal's records) and from the data
 * directory (with the journal file); a trail digest names the checkpoint of its time; then a
 * record changed in the journal database while the server is down is named by its index once it
 * is back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { runIn } from '../cli/harness.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { checkpointAtLeast } from '../helpers/tlog.js';

const env = (s: TestServer) => ({ VAULT_ADDR: s.address, VAULT_TOKEN: s.rootToken });

test('ledger checkpoint, prove, verify-bundle, verify --url and --dir on a live server; a record changed in the database is named', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-cli-'));
  let s: TestServer | undefined;
  try {
    const trailDir = join(dir, 'trail-out');
    const configPath = join(dir, 'trail.hcl');
    writeFileSync(configPath, `trail "main" {\n  directory = "${trailDir}"\n  bucket = "audit-bucket"\n}\n`);
    s = await startDevServer({ configPath, devDataDir: dir });
    // Two journal records per request: over a full bundle, into a partial one.
    for (let i = 0; i < 150; i++) {
      assert.equal((await call(s.address, 'POST', `secret/data/ledger-cli/${i}`, { token: s.rootToken, body: { data: { i } } })).status, 200);
    }
    const key = await runIn(['ledger', 'key'], { env: env(s) });
    assert.equal(key.code, 0, key.stderr);
    const vkey = key.stdout.trim();
    assert.match(vkey, /^[^+\s]+\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);

    // prove waits (up to 10 s) for a checkpoint that covers the record.
    const bundleFile = join(dir, 'bundle.json');
    const proved = await runIn(['ledger', 'prove', '250', '-o', bundleFile], { env: env(s) });
    assert.equal(proved.code, 0, proved.stderr);
    assert.match(proved.stderr, new RegExp(`^wrote the proof of record seq 250 \\(entry 250, tree size \\d+\\) to ${bundleFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n$`));
    const checked = await runIn(['ledger', 'verify-bundle', bundleFile, '--key', vkey]);
    assert.equal(checked.code, 0, checked.stderr);
    assert.match(checked.stdout, /^OK: record seq 250 is entry 250 of \S+ at tree size \d+, root [A-Za-z0-9+/]{43}=\n$/);
    const bundle = JSON.parse(readFileSync(bundleFile, 'utf8')) as { record: string };
    assert.equal(bundle.record, (await call(s.address, 'GET', 'sys/journal/records?after_seq=249&limit=1&format=raw', { token: s.rootToken })).json.data.records[0].text);
    // The first record (seq 0) too: it is asked for as after_seq=-1.
    const first = await runIn(['ledger', 'prove', '0'], { env: env(s) });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(JSON.parse(first.stdout).seq, 0);

    const checkpoint = await runIn(['ledger', 'checkpoint'], { env: env(s) });
    assert.equal(checkpoint.code, 0, checkpoint.stderr);
    const size = Number(checkpoint.stdout.split('\n')[1]);
    assert.ok(size > 250, checkpoint.stdout);
    writeFileSync(join(dir, 'cp.txt'), checkpoint.stdout);

    // The trail's digest names the ledger checkpoint current when it was written.
    assert.equal((await call(s.address, 'POST', 'sys/trails/main/deliver', { token: s.rootToken })).status, 200);
    const start = new Date(Date.now() - 3600_000).toISOString();
    const validated = await runIn(['trail', 'validate-logs', '--dir', trailDir, '--start-time', start, '--ledger-key', vkey], { env: env(s) });
    assert.equal(validated.code, 0, validated.stdout + validated.stderr);
    const named = /\nThe newest valid digest names ledger checkpoint (\S+) at tree size (\d+), root \S+ \(signature verified\)\n$/.exec(validated.stdout);
    assert.ok(named, validated.stdout);
    assert.equal(named[1], vkey.split('+')[0]);
    assert.ok(Number(named[2]) >= size, `the digest's checkpoint (${named[2]}) is at least the one read before it (${size})`);

    const overHttp = await runIn(['ledger', 'verify', '--url', s.address, '--key', vkey, '--since', join(dir, 'cp.txt')], { env: env(s) });
    assert.equal(overHttp.stderr, '');
    assert.equal(overHttp.code, 0);
    assert.match(overHttp.stdout, /^OK: \S+ at tree size (\d+), root \S+: every entry and tile reproduces the signed root; \1 journal records match their entries; the log extends the saved checkpoint of size \d+\n$/);
    const anonymous = await runIn(['ledger', 'verify', '--url', s.address, '--key', vkey], { env: { VAULT_ADDR: s.address } });
    assert.equal(anonymous.code, 2);
    assert.match(anonymous.stderr, /^Error reading checkpoint from http:\/\/127\.0\.0\.1:\d+\/v1\/sys\/ledger: HTTP 403: permission denied\n$/);

    await s.stop();
    s = undefined;
    const fromDir = await runIn(['ledger', 'verify', '--dir', join(dir, 'ledger'), '--key', vkey, '--journal', join(dir, 'journal.db')]);
    assert.equal(fromDir.stderr, '');
    assert.match(fromDir.stdout, /^OK: \S+ at tree size (\d+), root \S+: every entry and tile reproduces the signed root; \1 journal records match their entries\n$/);

    const db = new Database(join(dir, 'journal.db'));
    const original = db.prepare('SELECT text FROM records WHERE seq = 123').pluck().get() as string;
    db.prepare('UPDATE records SET text = ? WHERE seq = 123').run(original.replace('ledger-cli/', 'ledger-CLI/'));
    assert.notEqual(db.prepare('SELECT text FROM records WHERE seq = 123').pluck().get(), original);
    db.close();

    s = await startDevServer({ devDataDir: dir });
    const tampered = await runIn(['ledger', 'verify', '--url', s.address, '--key', vkey], { env: env(s) });
    assert.equal(tampered.code, 3);
    assert.equal(tampered.stdout, '');
    assert.equal(tampered.stderr, "FAILED: entry 123: the journal's record seq 123 differs from its ledger entry\n");
    const reproved = await runIn(['ledger', 'prove', '123'], { env: env(s) });
    assert.equal(reproved.code, 3);
    assert.equal(reproved.stderr, "FAILED: record seq 123 does not lead to the checkpoint's root: the journal's record differs from entry 123, or the proof is wrong\n");
  } finally {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify --url of a bundle whose records pass a journal page\'s text budget: the records are read page after page; a missing one is named', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-cli-'));
  let s: TestServer | undefined;
  try {
    s = await startDevServer({ devDataDir: dir });
    // Each write is two records of about 1 MiB (the request and the response name every key): 20 MiB
    // in one bundle, more than a page's MAX_PAGE_CHARS (16 Mi characters) of record text.
    const data = Object.fromEntries(Array.from({ length: 12_000 }, (_, i) => [`key-${i}`, 'v']));
    for (let i = 0; i < 10; i++) {
      assert.equal((await call(s.address, 'POST', `secret/data/large/${i}`, { token: s.rootToken, body: { data } })).status, 200);
    }
    const vkey = (await runIn(['ledger', 'key'], { env: env(s) })).stdout.trim();
    const newest = (await call(s.address, 'GET', 'sys/journal/records?limit=1&order=desc', { token: s.rootToken })).json.data.records[0].seq as number;
    const cp = await checkpointAtLeast(s.address, s.rootToken, vkey, newest + 1);
    assert.ok(cp.size <= 256, 'the large records share the first bundle');
    const raw = await call(s.address, 'GET', `sys/journal/records?after_seq=-1&limit=${cp.size}&order=asc&format=raw`, { token: s.rootToken });
    const texts = raw.json.data.records as { seq: number; text: string }[];
    assert.ok(texts.length < cp.size, 'one page of the API does not hold the bundle\'s records');

    const ok = await runIn(['ledger', 'verify', '--url', s.address, '--key', vkey], { env: env(s) });
    assert.equal(ok.stderr, '');
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /^OK: \S+ at tree size (\d+), root \S+: every entry and tile reproduces the signed root; \1 journal records match their entries\n$/);

    // A large record past the first page removed from the database while the server is down.
    const gone = (await call(s.address, 'GET', 'sys/journal/records?limit=1&order=desc&path_prefix=secret/data/large/9', { token: s.rootToken })).json.data.records[0].seq as number;
    assert.ok(gone > texts.at(-1)!.seq, `seq ${gone} is past the first page`);
    await s.stop();
    s = undefined;
    const db = new Database(join(dir, 'journal.db'));
    assert.equal(db.prepare('DELETE FROM records WHERE seq = ?').run(gone).changes, 1);
    db.close();
    s = await startDevServer({ devDataDir: dir });
    const missing = await runIn(['ledger', 'verify', '--url', s.address, '--key', vkey], { env: env(s) });
    assert.equal(missing.code, 3);
    assert.equal(missing.stderr, `FAILED: entry ${gone}: record seq ${gone} is not in the journal (deleted, or removed by retention)\n`);
  } finally {
    await s?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('verify --url of a log of several bundles: its reads stay within the server\'s journal read slots for the token', { timeout: 120_000 }, async () => {
  let s: TestServer | undefined;
  try {
    s = await startDevServer();
    // Two records per write: past three full bundles, so the verifier reads bundles ahead.
    for (let i = 0; i < 420; i++) {
      assert.equal((await call(s.address, 'POST', `secret/data/bundles/${i}`, { token: s.rootToken, body: { data: { i } } })).status, 200);
    }
    const vkey = (await runIn(['ledger', 'key'], { env: env(s) })).stdout.trim();
    await checkpointAtLeast(s.address, s.rootToken, vkey, 840);
    const verified = await runIn(['ledger', 'verify', '--url', s.address, '--key', vkey], { env: env(s) });
    assert.equal(verified.stderr, '');
    assert.equal(verified.code, 0);
    assert.match(verified.stdout, /^OK: \S+ at tree size (\d+), root \S+: every entry and tile reproduces the signed root; \1 journal records match their entries\n$/);
  } finally {
    await s?.stop();
  }
});
