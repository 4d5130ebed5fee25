/**
 * Files the server records into, deleted under the running server (a cleanup script, a restore
 * over the data directory), through the real server: no request is answered on the strength of a
 * record written into a file that no name reaches. The journal's spool segment is put back under
 * its name, so every acknowledged request's entries survive a SIGKILL; a deleted journal database
 * shows in sys/health while the spool keeps acknowledging; a deleted CloudTrail event store fails
 * the KMS call (500) instead of answering it with an event that vanishes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EncryptCommand, CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { eventsByRequestId } from '../helpers/cloudtrail-events.js';
import { createJournalStore, spoolDirectory } from '../../src/journal/index.js';
import { listSegments, segmentPath } from '../../src/journal/spool/segments.js';
import { call, startDevServer } from '../helpers/server.js';
import { startServerProcess } from '../helpers/server-process.js';

const until = async (what: string, check: () => Promise<boolean>) => {
  for (const deadline = Date.now() + 20_000; !(await check());) {
    assert.ok(Date.now() < deadline, `${what} within 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

test('the journal\'s spool segment deleted under a running server: every acknowledged request keeps its entries through a SIGKILL', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-deleted-spool-'));
  const { process: child, base, token, exited } = await startServerProcess(dir);
  const dbPath = join(dir, 'journal.db');
  try {
    const acknowledged: string[] = [];
    const write = async (i: number) => {
      const r = await call(base, 'POST', `secret/data/deleted-${i}`, { token, body: { data: { v: String(i) } } });
      assert.equal(r.status, 200);
      acknowledged.push(r.json.request_id);
    };
    for (let i = 0; i < 5; i++) await write(i);
    const spool = spoolDirectory(dbPath);
    unlinkSync(segmentPath(spool, listSegments(spool).at(-1)!));
    // Past the spool writer's check interval (10 ms): a batch acknowledged sooner after the deletion
    // is in the open segment, which the next check copies, but a kill before that check loses it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    for (let i = 5; i < 10; i++) await write(i);
    child.kill('SIGKILL');
    await exited;

    const reopened = createJournalStore({ path: dbPath, spool: true, indexerNice: 0 });
    assert.equal(await reopened.caughtUp(60_000), true);
    await reopened.close();
    const db = new Database(dbPath, { readonly: true });
    try {
      const kinds = db.prepare("SELECT kind FROM records WHERE request_id = ? AND kind IN ('vault-request', 'vault-response') ORDER BY seq").pluck();
      for (const id of acknowledged) assert.deepEqual(kinds.all(id), ['vault-request', 'vault-response'], `the entries of acknowledged request ${id}`);
    } finally {
      db.close();
    }
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the journal database deleted under a running server: requests are still recorded in the spool, and sys/health reports the indexer failing', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-deleted-journal-'));
  writeFileSync(join(dir, 'server.hcl'), `journal {\n  path = "${join(dir, 'journal.db')}"\n}\n`);
  const server = await startDevServer({ configPath: join(dir, 'server.hcl') });
  try {
    const write = (i: number) => call(server.address, 'POST', `secret/data/deleted-${i}`, { token: server.rootToken, body: { data: { v: String(i) } } });
    const health = async () => (await call(server.address, 'GET', 'sys/health')).json;
    assert.equal((await write(0)).status, 200);
    assert.equal((await health()).journal_indexer_failing, false);
    unlinkSync(join(dir, 'journal.db'));
    for (let i = 1; i < 5; i++) assert.equal((await write(i)).status, 200);
    await until('journal_indexer_failing in sys/health', async () => (await health()).journal_indexer_failing === true);
    const metrics = (await call(server.address, 'GET', 'sys/metrics?format=prometheus', { token: server.rootToken })).text;
    assert.match(metrics, /^sealtrail_journal_indexer_failing 1$/m);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the CloudTrail event store deleted under a running server: events wait instead of going into a file no name reaches, and the next start stores them', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-deleted-events-'));
  let server = await startDevServer({ devDataDir: dir });
  const clients: Array<{ destroy(): void }> = [];
  try {
    const kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials, maxAttempts: 1 });
    clients.push(kms);
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const encrypt = () => kms.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('deleted-events') }));
    await encrypt();
    unlinkSync(join(dir, 'events.db'));
    // Past the event store's check interval (10 ms), within which a commit is not checked.
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The call acted and the journal holds its event: answered, its event waiting for a store.
    const answered = await encrypt();
    assert.ok(server.core.requireServices().trail.recorder.pending() >= 1);
    await server.stop();
    server = await startDevServer({ devDataDir: dir });
    const trail = new CloudTrailClient({ endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials, maxAttempts: 1 });
    clients.push(trail);
    // Stored in the background once the journal is indexed.
    for (const deadline = Date.now() + 10_000; !(await eventsByRequestId(trail, 'Encrypt')).has(answered.$metadata.requestId!);) {
      assert.ok(Date.now() < deadline, 'the waiting event is stored within 10 s of the start');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const events = await eventsByRequestId(trail, 'Encrypt');
    assert.equal(events.get(answered.$metadata.requestId!), 1, 'stored from the journal into the new database, once');
  } finally {
    for (const c of clients) c.destroy();
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
