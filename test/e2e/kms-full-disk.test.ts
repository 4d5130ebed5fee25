/**
 * KMS calls on a full disk, through the real server and the official AWS SDK v3 clients, on a real
 * tmpfs. The event store's disk full: a call acts before its CloudTrail event is committed, so the
 * event waits (the journal holds it) and the call is answered; once space is free LookupEvents
 * holds every acknowledged call's event exactly once (trail/recorder.ts). The journal's disk full: a call
 * refused because the journal could not take its CloudTrail record leaves no event in the store,
 * so LookupEvents holds exactly the acknowledged calls, each also a journal record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { eventsByRequestId } from '../helpers/cloudtrail-events.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { freeSpace, mountTmpfs, type Tmpfs } from '../helpers/tmpfs.js';

const REGION = 'us-east-1';
const CANARY = 'kms-disk-plaintext-canary';

interface Rig { server: TestServer; fs: Tmpfs; kms: KMSClient; trail: CloudTrailClient; keyId: string }

/** `on`: which data sits on the tmpfs — the data dir (storage, events.db) or the journal. */
async function withRig(on: 'events' | 'journal', size: string, fn: (rig: Rig) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-kms-disk-'));
  let fs: Tmpfs | undefined;
  let server: TestServer | undefined;
  const clients: Array<{ destroy(): void }> = [];
  try {
    fs = mountTmpfs(size);
    const configPath = join(dir, 'server.hcl');
    writeFileSync(configPath, `journal {\n  path = "${join(on === 'journal' ? fs.dir : dir, 'journal.db')}"\n}\n`);
    server = await startDevServer({ configPath, devDataDir: on === 'events' ? fs.dir : join(dir, 'data') });
    const kms = new KMSClient({ endpoint: server.address, region: REGION, credentials: server.awsCredentials, maxAttempts: 1 });
    const trail = new CloudTrailClient({ endpoint: server.address, region: REGION, credentials: server.awsCredentials, maxAttempts: 1 });
    clients.push(kms, trail);
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await fn({ server, fs, kms, trail, keyId });
  } finally {
    for (const c of clients) c.destroy();
    await server?.stop();
    fs?.unmount();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Encrypt calls: the request ids acknowledged, and the errors of those refused. */
function encryptor(rig: Rig) {
  const acknowledged: string[] = [];
  const refused: Array<{ name: string; status?: number; message: string }> = [];
  const encrypt = async (i: number, pad = 0) => {
    try {
      const out = await rig.kms.send(new EncryptCommand({ KeyId: rig.keyId, Plaintext: Buffer.from(`${CANARY}-${i}`.padEnd(pad, '.')) }));
      acknowledged.push(out.$metadata.requestId!);
      return true;
    } catch (err) {
      const e = err as Error & { $metadata?: { httpStatusCode?: number } };
      refused.push({ name: e.name, status: e.$metadata?.httpStatusCode, message: e.message });
      return false;
    }
  };
  return { rig, acknowledged, refused, encrypt };
}

/**
 * After a full disk: every refusal was a clean 500, calls are served again once `filler` is gone,
 * and LookupEvents holds each acknowledged call's event once. Returns its events by request id.
 */
async function recovered(calls: ReturnType<typeof encryptor>, filler: string, refusedWhy: string): Promise<Map<string, number>> {
  assert.ok(calls.refused.length >= 10, refusedWhy);
  for (const r of calls.refused) assert.deepEqual(r, { name: 'KMSInternalException', status: 500, message: 'internal error' });
  freeSpace(filler);
  for (let i = 0; i < 5; i++) assert.equal(await calls.encrypt(100 + i), true, 'served again once space is free');
  const events = await eventsByRequestId(calls.rig.trail, 'Encrypt');
  for (const id of calls.acknowledged) assert.equal(events.get(id), 1, `the event of acknowledged call ${id}`);
  return events;
}

test('the event store\'s disk full: calls that act are answered, their events wait and reach LookupEvents once space is free, each once', { timeout: 60_000 }, async () => {
  await withRig('events', '8m', async (rig) => {
    const calls = encryptor(rig);
    const { acknowledged, refused, encrypt } = calls;
    const recorder = rig.server.core.requireServices().trail.recorder;
    for (let i = 0; i < 5; i++) assert.equal(await encrypt(i), true);
    // Calls in flight while the disk fills.
    let stop = false;
    const worker = async (w: number) => { for (let i = 0; !stop && i < 2000; i++) await encrypt(1000 * (w + 1) + i); };
    const workers = Array.from({ length: 4 }, (_, w) => worker(w));
    const filler = rig.fs.fill();
    const t0 = Date.now();
    while (recorder.pending() < 10 && Date.now() - t0 < 10_000) await new Promise((resolve) => setTimeout(resolve, 20));
    const waiting = recorder.pending();
    stop = true;
    await Promise.all(workers);
    assert.ok(waiting >= 10, 'events wait for the store while its disk is full');
    // The journal holds their events, so the calls were answered: Encrypt acts on nothing stored.
    assert.deepEqual(refused, [], 'no call refused');
    freeSpace(filler);
    for (let i = 0; i < 5; i++) assert.equal(await encrypt(100 + i), true);
    const deadline = Date.now() + 10_000;
    while (recorder.pending() > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const events = await eventsByRequestId(rig.trail, 'Encrypt');
    for (const id of acknowledged) assert.equal(events.get(id), 1, `the event of acknowledged call ${id}`);
    assert.equal(events.size, acknowledged.length, 'no other event');
  });
});

test('the journal\'s disk full under KMS calls: a call refused for want of its journal record leaves no CloudTrail event', { timeout: 60_000 }, async () => {
  // Room for the journal's write-ahead log at its largest (journal-durability.test.ts).
  await withRig('journal', '24m', async (rig) => {
    const calls = encryptor(rig);
    const { encrypt } = calls;
    for (let i = 0; i < 5; i++) assert.equal(await encrypt(i), true);
    const filler = rig.fs.fill();
    // A few KiB at a time: some calls get their request and response entries into the spool and
    // then find no room for their CloudTrail record.
    for (let round = 0; round < 30; round++) {
      truncateSync(filler, Math.max(0, statSync(filler).size - 4096 * (round % 5 + 1)));
      await Promise.all(Array.from({ length: 6 }, (_, j) => encrypt(10_000 + round * 10 + j, 3000)));
    }
    const events = await recovered(calls, filler, 'calls are refused while the journal cannot record them');
    assert.deepEqual([...events.keys()].filter((id) => !calls.acknowledged.includes(id)), [], 'LookupEvents holds no event of a refused call');
    for (const id of events.keys()) {
      const r = await call(rig.server.address, 'GET', `sys/journal/records?request_id=${id}&kind=cloudtrail`, { token: rig.server.rootToken });
      assert.equal(r.json.data.records.length, 1, `the journal holds the event of ${id}`);
    }
  });
});
