/**
 * The ledger on a disk of its own that fills up: the journal goes on acknowledging (the ledger
 * follows it and never holds a request), the episode shows in sys/health, sys/metrics and the
 * journal's server events, and once the disk has room the ledger takes in every record it missed,
 * in order: its tree is the journal's records, verified leaf by leaf.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { freeSpace, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';
import { checkpointAtLeast, fetchEntries, leafHash, merkleRoot } from '../helpers/tlog.js';

const until = async (what: string, check: () => Promise<boolean>) => {
  for (const deadline = Date.now() + 20_000; !(await check());) {
    assert.ok(Date.now() < deadline, `${what} within 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

test('a full ledger disk holds no request, shows in health, metrics and the journal, and the ledger catches up after', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-disk-'));
  let fs: Tmpfs | undefined;
  let server: TestServer | undefined;
  try {
    mkdirSync(join(dir, 'ledger'));
    // Room for the whole ledger of this test several times over once the filler is gone (~1 MiB,
    // with its partial bundles and the files being written): a second episode is then a real one.
    fs = mountTmpfs('8m', join(dir, 'ledger'));
    writeFileSync(join(dir, 'server.hcl'), `journal {\n  path = "${join(dir, 'journal.db')}"\n}\n`);
    server = await startDevServer({ configPath: join(dir, 'server.hcl') });
    const base = server.address;
    const token = server.rootToken!;
    const key = (await call(base, 'GET', 'sys/ledger/key')).json.data.verifier_key as string;
    const write = (i: number) => call(base, 'POST', `secret/data/ledger-disk-${i}`, { token, body: { data: { v: 'x'.repeat(2000) } } });
    const health = async () => (await call(base, 'GET', 'sys/health')).json;
    const metrics = async () => (await call(base, 'GET', 'sys/metrics?format=prometheus', { token })).text;
    for (let i = 0; i < 20; i++) assert.equal((await write(i)).status, 200);
    assert.equal((await health()).ledger_failing, false);

    const filler = fs.fill();
    for (let i = 20; i < 220; i++) assert.equal((await write(i)).status, 200, 'the journal acknowledges while the ledger cannot write');
    await until('ledger_failing in sys/health', async () => (await health()).ledger_failing === true);
    assert.match(await metrics(), /^sealtrail_ledger_failing 1$/m);
    assert.equal((await health()).journal_indexer_failing, false);

    freeSpace(filler);
    for (let i = 220; i < 240; i++) assert.equal((await write(i)).status, 200);
    await until('the ledger to recover', async () => (await health()).ledger_failing === false);
    assert.match(await metrics(), /^sealtrail_ledger_failing 0$/m);

    // Every record, those written while the disk was full included, is a leaf, in order.
    await call(base, 'GET', 'sys/journal/records?limit=1', { token }); // waits for the index
    const db = new Database(join(dir, 'journal.db'), { readonly: true });
    const records = db.prepare('SELECT seq, text FROM records ORDER BY seq').all() as { seq: number; text: string }[];
    db.close();
    const checkpoint = await checkpointAtLeast(base, token, key, records.length);
    const leaves = await fetchEntries(base, checkpoint.size, token);
    assert.deepEqual(merkleRoot(leaves.map(leafHash)), checkpoint.root);
    assert.deepEqual(leaves.slice(0, records.length).map((e) => e.toString('utf8')), records.map((r) => r.text));

    const events = (await call(base, 'GET', 'sys/journal/records?kind=server&order=asc&limit=1000', { token })).json.data.records as
      Array<{ outcome: string; record: { event: string; details: Record<string, string> } }>;
    const episode = events.filter((e) => e.record.event.startsWith('ledger_'));
    assert.deepEqual(episode.map((e) => [e.record.event, e.outcome]), [['ledger_failing', 'failure'], ['ledger_recovered', 'success']]);
    assert.equal(episode[0].record.details.code, 'ENOSPC');
    assert.match(await metrics(), new RegExp(`^sealtrail_ledger_leaves \\d+$`, 'm'));
  } finally {
    await server?.stop();
    fs?.unmount();
    rmSync(dir, { recursive: true, force: true });
  }
});
