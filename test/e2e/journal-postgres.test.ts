/**
 * The server with its journal, ledger and event store on PostgreSQL, killed with SIGKILL under
 * load and started again: every request it acknowledged has its journal records in PostgreSQL
 * exactly once, seqs are dense, and the restarted server's checkpoint extends the one signed
 * before the kill (the test's own RFC 9162 code checks the proof and the leaves).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { call } from '../helpers/server.js';
import { startPostgres } from '../helpers/postgres.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { checkpointAtLeast, consistent, fetchEntries, leafHash, merkleRoot, openSignedCheckpoint, type Checkpoint } from '../helpers/tlog.js';

const checkpointOf = (c: ServerProcess, key: string, size: number): Promise<Checkpoint> => checkpointAtLeast(c.base, c.token, key, size);

test('postgresql: kill -9 under load, restart — acknowledged requests journaled exactly once, the ledger continues', { timeout: 120_000 }, async () => {
  const cluster = await startPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-pg-kill-'));
  const db = new pg.Client({ connectionString: cluster.createDatabase('sealtrail') });
  let child: ServerProcess | undefined;
  try {
    await db.connect();
    const configPath = join(dir, 'journal.hcl');
    writeFileSync(configPath, 'journal {\n  storage = "postgresql"\n}\n');
    // The URL from the environment, as an operator keeps a password out of the file.
    const extra = { args: [`-config=${configPath}`], env: { SEALTRAIL_PG_CONNECTION_URL: `postgres://postgres@127.0.0.1:${cluster.port}/sealtrail` } };
    child = await startServerProcess(join(dir, 'data'), extra);
    const key = (await call(child.base, 'GET', 'sys/ledger/key')).json.data.verifier_key as string;
    for (let i = 0; i < 20; i++) assert.equal((await call(child.base, 'POST', `secret/data/before-${i}`, { token: child.token, body: { data: { i } } })).status, 200);
    const saved = await checkpointOf(child, key, 40);

    const acknowledged: string[] = [];
    let stop = false;
    const { base, token } = child;
    const worker = async (w: number) => {
      for (let i = 0; !stop && i < 5000; i++) {
        try {
          const r = await call(base, 'POST', `secret/data/load-${w}-${i}`, { token, body: { data: { v: String(i) } } });
          if (r.status === 200) acknowledged.push(`secret/data/load-${w}-${i}`);
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    for (let i = 0; i < 1500 && acknowledged.length < 300; i++) await new Promise((r) => setTimeout(r, 20));
    child.process.kill('SIGKILL');
    await child.exited;
    stop = true;
    await Promise.all(workers);
    assert.ok(acknowledged.length >= 300, `the load ran (${acknowledged.length} acknowledged)`);

    // Before any restart: PostgreSQL alone holds every acknowledged request, once, seqs dense.
    const responses = (await db.query<{ path: string }>("SELECT path FROM records WHERE kind = 'vault-response' AND path LIKE 'secret/data/load-%'")).rows.map((r) => r.path);
    const kept = new Map<string, number>();
    for (const p of responses) kept.set(p, (kept.get(p) ?? 0) + 1);
    assert.deepEqual(acknowledged.filter((p) => kept.get(p) !== 1), [], 'each acknowledged request\'s response recorded exactly once');
    const seqs = (await db.query<{ seq: string }>('SELECT seq FROM records ORDER BY seq')).rows.map((r) => Number(r.seq));
    assert.deepEqual(seqs, seqs.map((_, i) => i), 'seqs dense from 0');

    child = await startServerProcess(join(dir, 'data'), extra);
    assert.equal((await call(child.base, 'GET', 'sys/ledger/key')).json.data.verifier_key, key, 'the same ledger key');
    const total = Number((await db.query<{ n: string }>('SELECT COUNT(*) AS n FROM records')).rows[0].n);
    const next = await checkpointOf(child, key, total);
    const res = await call(child.base, 'GET', `sys/ledger/proof/consistency?from=${saved.size}&to=${next.size}`, { token: child.token });
    assert.equal(res.status, 200);
    const proof = (res.json.data.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
    assert.equal(consistent(saved.size, next.size, proof, saved.root, next.root), true, 'the checkpoint after the restart extends the one before the kill');
    const entries = await fetchEntries(child.base, next.size, child.token);
    assert.deepEqual(merkleRoot(entries.map(leafHash)), next.root);
    const texts = (await db.query<{ text: string }>('SELECT text FROM records WHERE seq < $1 ORDER BY seq', [next.size])).rows.map((r) => r.text);
    assert.deepEqual(entries.map((e) => e.toString('utf8')), texts, 'leaf i is record seq i');
    const stored = (await db.query<{ data: Buffer }>("SELECT data FROM ledger_files WHERE path = 'checkpoint'")).rows[0];
    assert.ok(openSignedCheckpoint(stored.data.toString('utf8'), key).size >= saved.size, 'the checkpoint is kept in PostgreSQL');
  } finally {
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    await db.end().catch(() => undefined);
    cluster.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
