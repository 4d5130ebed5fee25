/**
 * The journal keeps the audit promise under fault: a server killed with SIGKILL under load leaves
 * every acknowledged request's entries in the journal (once the next start has indexed its
 * spool), none twice; a journal whose disk is full
 * refuses requests with 500 (the journal is required) and serves them again once the
 * disk is back — on a real tmpfs, with the dev server's file device still working throughout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createJournalStore, spoolDirectory } from '../../src/journal/index.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { startServerProcess } from '../helpers/server-process.js';
import { freeSpace, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';


/** Each request id's entries in a journal database, by kind. */
function entriesByRequest(dbPath: string): Map<string, string[]> {
  const db = new Database(dbPath, { readonly: true });
  try {
    const rows = db.prepare("SELECT request_id, kind FROM records WHERE kind IN ('vault-request', 'vault-response') ORDER BY seq").all() as { request_id: string; kind: string }[];
    const out = new Map<string, string[]>();
    for (const r of rows) out.set(r.request_id, [...(out.get(r.request_id) ?? []), r.kind]);
    return out;
  } finally {
    db.close();
  }
}

test('SIGKILL under load: every acknowledged request has its two entries in the journal, none twice', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-journal-kill-'));
  const { process: child, base, token, exited } = await startServerProcess(dir);
  try {
    const acknowledged: string[] = [];
    let stop = false;
    const worker = async (w: number) => {
      for (let i = 0; !stop && i < 5000; i++) {
        try {
          const r = await call(base, 'POST', `secret/data/load-${w}-${i}`, { token, body: { data: { v: String(i) } } });
          if (r.status === 200) acknowledged.push(r.json.request_id);
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, w) => worker(w));
    while (acknowledged.length < 300) await new Promise((resolve) => setTimeout(resolve, 20));
    child.kill('SIGKILL');
    await exited;
    stop = true;
    await Promise.all(workers);

    // What the next start does first: cut a torn spool tail, index what was acknowledged but not
    // yet indexed when the process died.
    const dbPath = join(dir, 'journal.db');
    const before = entriesByRequest(dbPath);
    const reopened = createJournalStore({ path: dbPath, spool: true, indexerNice: 0 });
    assert.equal(await reopened.caughtUp(60_000), true);
    await reopened.close();
    const journal = entriesByRequest(dbPath);
    assert.ok(journal.size >= before.size);
    for (const id of acknowledged) assert.deepEqual(journal.get(id), ['vault-request', 'vault-response'], `the entries of acknowledged request ${id}`);
    for (const [id, kinds] of journal) assert.ok(kinds.length <= 2 && new Set(kinds).size === kinds.length, `request ${id} has no entry twice: ${kinds}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

async function withJournalOnTmpfs(fn: (server: TestServer, fs: Tmpfs) => Promise<void>): Promise<void> {
  let fs: Tmpfs | undefined;
  let server: TestServer | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-journal-disk-'));
  try {
    // Room for the journal's write-ahead log at its largest (a server's connections checkpoint it
    // at SQLite's 1,000 pages: 16 MiB), the spool and the ledger; the test then fills the rest.
    fs = mountTmpfs('24m');
    const configPath = join(dir, 'server.hcl');
    writeFileSync(configPath, `journal {\n  path = "${join(fs.dir, 'journal.db')}"\n}\n`);
    server = await startDevServer({ configPath });
    await fn(server, fs);
  } finally {
    await server?.stop();
    fs?.unmount();
    rmSync(dir, { recursive: true, force: true });
  }
}

const write = (server: TestServer, i: number) =>
  call(server.address, 'POST', `secret/data/disk-${i}`, { token: server.rootToken, body: { data: { v: 'x'.repeat(200) } } });

test('the journal\'s disk full: requests are refused with 500, and served again once space is free', { timeout: 60_000 }, async () => {
  await withJournalOnTmpfs(async (server, fs) => {
    const acknowledged: string[] = [];
    const served = async (i: number) => {
      const r = await write(server, i);
      if (r.status === 200) acknowledged.push(r.json.request_id);
      return r;
    };
    for (let i = 0; i < 5; i++) assert.equal((await served(i)).status, 200);
    const segments = () => readdirSync(spoolDirectory(join(fs.dir, 'journal.db'))).filter((n) => n.endsWith('.seg')).length;
    const segmentsBefore = segments();
    const filler = fs.fill();
    let refused = 0;
    for (let i = 5; i < 200 && refused < 10; i++) {
      const r = await served(i);
      if (r.status !== 200) {
        assert.equal(r.status, 500);
        assert.deepEqual(r.json, { errors: ['internal error'] });
        refused++;
      }
    }
    assert.equal(refused, 10, 'requests are refused while the journal cannot record them');
    // The full disk is no fault of the segment: refused batches do not leave an empty segment each.
    assert.ok(segments() - segmentsBefore <= 1, `${segments() - segmentsBefore} new segments for 10 refused requests`);
    freeSpace(filler);
    for (let i = 300; i < 305; i++) assert.equal((await served(i)).status, 200, 'served again once space is free');
    const seen = await call(server.address, 'GET', 'sys/journal/records?path_prefix=secret/data/disk-304', { token: server.rootToken });
    assert.equal(seen.json.data.records.length, 2);
    // Every acknowledged request, before and after the episode, has both entries, each once; the
    // writes that failed left nothing the indexer could not read.
    for (const id of acknowledged) {
      const r = await call(server.address, 'GET', `sys/journal/records?request_id=${id}&kind=vault-request,vault-response&order=asc`, { token: server.rootToken });
      assert.deepEqual(r.json.data.records.map((x: { kind: string }) => x.kind), ['vault-request', 'vault-response'], id);
    }
    assert.deepEqual(readdirSync(spoolDirectory(join(fs.dir, 'journal.db'))).filter((n) => n.endsWith('.corrupt')), []);
  });
});
