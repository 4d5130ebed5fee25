/**
 * The ledger across a kill -9 under load and a restart on the same data directory: the tree goes
 * on with no gap (leaf i is record seq i, dense), the next checkpoint extends the last one seen
 * before the kill (a consistency proof, verified by the test's own RFC 9162 code), the key is the
 * same, and a clean shutdown leaves a signed checkpoint file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call } from '../helpers/server.js';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.js';
import { checkpointAtLeast, consistent, fetchEntries, leafHash, merkleRoot, openSignedCheckpoint, type Checkpoint } from '../helpers/tlog.js';



async function verifierKey(c: ServerProcess): Promise<string> {
  return (await call(c.base, 'GET', 'sys/ledger/key')).json.data.verifier_key as string;
}

const checkpointOf = (c: ServerProcess, key: string, size: number): Promise<Checkpoint> => checkpointAtLeast(c.base, c.token, key, size);

/** The journal's records by seq, read from its database file. */
function records(dir: string): { seq: number; text: string }[] {
  const db = new Database(join(dir, 'journal.db'), { readonly: true });
  try {
    return db.prepare('SELECT seq, text FROM records ORDER BY seq').all() as { seq: number; text: string }[];
  } finally {
    db.close();
  }
}

test('kill -9 under load, restart: the tree continues with no gap and the next checkpoint extends the last one', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-kill-'));
  let child: ServerProcess | undefined;
  try {
    child = await startServerProcess(dir);
    const key = await verifierKey(child);
    for (let i = 0; i < 20; i++) assert.equal((await call(child.base, 'POST', `secret/data/before-${i}`, { token: child.token, body: { data: { i } } })).status, 200);
    const saved = await checkpointOf(child, key, 40);

    // Load from eight clients, then SIGKILL in the middle of it.
    let acknowledged = 0;
    let stop = false;
    const { base, token } = child;
    const worker = async (w: number) => {
      for (let i = 0; !stop && i < 5000; i++) {
        try {
          const r = await call(base, 'POST', `secret/data/load-${w}-${i}`, { token, body: { data: { v: String(i) } } });
          if (r.status === 200) acknowledged++;
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    for (let i = 0; i < 1500 && acknowledged < 400; i++) await new Promise((r) => setTimeout(r, 20));
    child.process.kill('SIGKILL');
    await child.exited;
    stop = true;
    await Promise.all(workers);
    assert.ok(acknowledged >= 400, `the load ran (${acknowledged} acknowledged)`);

    child = await startServerProcess(dir);
    assert.equal(await verifierKey(child), key, 'the same ledger key after the restart');
    // A journal query waits until the spool the killed process left is indexed.
    assert.equal((await call(child.base, 'GET', 'sys/journal/records?limit=1', { token: child.token })).status, 200);
    const indexed = records(dir).length;
    const next = await checkpointOf(child, key, indexed);
    assert.ok(next.size > saved.size);

    const res = await call(child.base, 'GET', `sys/ledger/proof/consistency?from=${saved.size}&to=${next.size}`, { token: child.token });
    assert.equal(res.status, 200);
    const proof = (res.json.data.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
    assert.equal(consistent(saved.size, next.size, proof, saved.root, next.root), true, 'the checkpoint after the restart extends the one before the kill');

    // Dense: the leaves are records 0..size-1, each the record's text, and they reproduce the root.
    const entries = await fetchEntries(child.base, next.size, child.token);
    assert.deepEqual(merkleRoot(entries.map(leafHash)), next.root);
    const journal = records(dir).slice(0, next.size);
    assert.deepEqual(journal.map((r) => r.seq), Array.from({ length: next.size }, (_, i) => i), 'seqs 0..size-1, no gap');
    assert.deepEqual(entries.map((e) => e.toString('utf8')), journal.map((r) => r.text));

    // A clean shutdown signs what it has and leaves it in <data dir>/ledger/checkpoint.
    child.process.kill('SIGTERM');
    await child.exited;
    const last = openSignedCheckpoint(readFileSync(join(dir, 'ledger', 'checkpoint'), 'utf8'), key);
    assert.ok(last.size >= next.size);
    const all = records(dir);
    assert.deepEqual(merkleRoot(all.slice(0, last.size).map((r) => leafHash(Buffer.from(r.text)))), last.root, 'the last checkpoint is the journal\'s first records');
  } finally {
    if (child && child.process.exitCode === null && child.process.signalCode === null) {
      child.process.kill('SIGKILL');
      await child.exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
});
