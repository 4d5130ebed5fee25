/**
 * A KMS call acts before its CloudTrail event is stored, so an event store that cannot take the
 * event must not lose it, and the answer and the records must agree with what happened
 * (trail/recorder.ts). Through the real dev server and the AWS SDK, with the store's writes
 * failing (the disk under events.db full).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, DisableKeyCommand, KMSClient, ListKeysCommand } from '@aws-sdk/client-kms';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import type { EventStore } from '../../src/trail/index.js';

const servers: TestServer[] = [];
after(async () => { for (const s of servers) await s.stop(); });

async function world(journal: boolean, devDataDir?: string) {
  const server = await startDevServer({ ...(journal ? {} : { journal: false }), ...(devDataDir ? { devDataDir } : {}) });
  servers.push(server);
  const opts = { endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials, maxAttempts: 1 };
  // The store the server runs with (wiring.ts keeps it beside the recorder).
  const store = (server.core.requireServices().trail as unknown as { store: EventStore }).store;
  const append = store.append.bind(store);
  const disk = { full: false };
  store.append = async (input) => {
    if (disk.full) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    return append(input);
  };
  const auditEntries = () => readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const kms = new KMSClient(opts);
  // Past the start's completion of the store from the journal (events wait behind it meanwhile).
  const recorder = server.core.requireServices().trail.recorder;
  await kms.send(new ListKeysCommand({}));
  await until(async () => recorder.pending() === 0);
  return { server, kms, trail: new CloudTrailClient(opts), disk, auditEntries };
}

/** The CloudTrail events of `name` that LookupEvents serves. */
async function events(trail: CloudTrailClient, name: string): Promise<string[]> {
  const r = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }] }));
  return (r.Events ?? []).map((e) => e.EventId!);
}

async function until(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('not within 10 s');
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('with the journal: calls that act while the store is full are answered, and their events reach LookupEvents once it recovers, each once', async () => {
  const { server, kms, trail, disk, auditEntries } = await world(true);
  try {
    const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    disk.full = true;
    const created = (await kms.send(new CreateKeyCommand({ Description: 'made while the store is full' }))).KeyMetadata!.KeyId!;
    await kms.send(new DisableKeyCommand({ KeyId: keyId }));
    // Answered as it happened, and the audit says so.
    const responses = auditEntries().filter((e) => e.type === 'response' && e.request.path === 'kms/aws/DisableKey');
    assert.deepEqual(responses.map((e) => e.error ?? null), [null]);
    disk.full = false;
    await until(async () => (await events(trail, 'DisableKey')).length === 1);
    assert.equal((await events(trail, 'CreateKey')).length, 2);
    const keys = (await kms.send(new ListKeysCommand({}))).Keys!.map((k) => k.KeyId);
    assert.ok(keys.includes(created));
    // The journal tells the episode: when the store stopped taking events and why, and when it took them again.
    const told = await call(server.address, 'GET', 'sys/journal/records?kind=server&order=asc', { token: server.rootToken });
    const episode = told.json.data.records.filter((r: { operation: string }) => r.operation.startsWith('event_store_'));
    assert.deepEqual(episode.map((r: { operation: string }) => r.operation), ['event_store_failing', 'event_store_recovered']);
    assert.equal(episode[0].record.details.code, 'SQLITE_FULL');
  } finally {
    kms.destroy();
    trail.destroy();
  }
});

test('sys/health and sys/metrics show an event store that cannot take events, and how many wait, until they are stored', async () => {
  const { server, kms, disk } = await world(true);
  const health = async () => (await call(server.address, 'GET', 'sys/health')).json;
  const metric = async (name: string) => {
    const text = (await call(server.address, 'GET', 'sys/metrics?format=prometheus', { token: server.rootToken })).text;
    return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
  };
  try {
    assert.deepEqual([(await health()).event_store_failing, (await health()).event_store_waiting_events], [false, 0]);
    disk.full = true;
    await kms.send(new CreateKeyCommand({ Description: 'made while the store is full' }));
    await kms.send(new ListKeysCommand({}));
    const failing = await health();
    assert.deepEqual([failing.event_store_failing, failing.event_store_waiting_events], [true, 2]);
    assert.deepEqual([await metric('sealtrail_event_store_failing'), await metric('sealtrail_event_store_waiting_events')], [1, 2]);
    disk.full = false;
    await until(async () => (await health()).event_store_failing === false);
    assert.equal((await health()).event_store_waiting_events, 0);
    assert.equal(await metric('sealtrail_event_store_failing'), 0);
  } finally {
    kms.destroy();
  }
});

test('without the journal: the call that acted is told it failed and its trail says so, later calls are refused before they act, and its event lands once the store recovers', async () => {
  const { kms, trail, disk, auditEntries } = await world(false);
  try {
    const before = (await kms.send(new ListKeysCommand({}))).Keys!.length;
    disk.full = true;
    const failed = await kms.send(new CreateKeyCommand({})).catch((err: { name: string; $metadata: { httpStatusCode: number } }) => err);
    assert.deepEqual([(failed as { name: string }).name, (failed as { $metadata: { httpStatusCode: number } }).$metadata.httpStatusCode], ['ServiceUnavailableException', 503]);
    // The key was made before its event could be stored: the audit trail ends with the error the client got.
    const entries = auditEntries().filter((e) => e.type === 'response' && e.request.path === 'kms/aws/CreateKey').slice(-2);
    assert.deepEqual(entries.map((e) => e.error ?? null), [null, 'the CloudTrail event store cannot take events']);
    // Refused before acting while its event could have no home: no further key is made.
    const refused = await kms.send(new CreateKeyCommand({})).catch((err: { name: string }) => err);
    assert.equal((refused as { name: string }).name, 'ServiceUnavailableException');
    disk.full = false;
    // LookupEvents too is refused until the waiting events are in (the retry, within a second):
    // the call that acted, and the one refused before it acted, with its error, as CloudTrail keeps refusals.
    await until(async () => (await events(trail, 'CreateKey').catch(() => [])).length === 2);
    const created = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'CreateKey' }] }));
    assert.deepEqual(created.Events!.map((e) => JSON.parse(e.CloudTrailEvent!).errorCode ?? null).sort(), ['ServiceUnavailableException', null]);
    assert.equal((await kms.send(new ListKeysCommand({}))).Keys!.length, before + 1);
  } finally {
    kms.destroy();
    trail.destroy();
  }
});

test('events still waiting when the server stops are stored from the journal at the next start, once', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-waiting-'));
  try {
    const first = await world(true, dir);
    first.disk.full = true;
    const keyId = (await first.kms.send(new CreateKeyCommand({ Description: 'made before a stop' }))).KeyMetadata!.KeyId!;
    await first.kms.send(new DisableKeyCommand({ KeyId: keyId }));
    first.kms.destroy();
    first.trail.destroy();
    // Stopped while both events wait: the store never took them in this process.
    await first.server.stop();
    servers.splice(servers.indexOf(first.server), 1);
    const next = await world(true, dir);
    try {
      // Stored in the background once the journal is indexed.
      await until(async () => (await events(next.trail, 'DisableKey')).length === 1);
      assert.equal((await events(next.trail, 'CreateKey')).length, 1);
      // The journal tells the episode whole: its start in the first process, its end in this one.
      const told = await call(next.server.address, 'GET', 'sys/journal/records?kind=server&order=asc', { token: next.server.rootToken });
      const episode = told.json.data.records.filter((r: { operation: string }) => r.operation.startsWith('event_store_'));
      assert.deepEqual(episode.map((r: { operation: string; record: { details: Record<string, unknown> } }) => [r.operation, r.record.details.stored_from_journal ?? null]),
        [['event_store_failing', null], ['event_store_recovered', 2]]);
      await next.server.stop();
      servers.splice(servers.indexOf(next.server), 1);
      // Restored once: a further start adds nothing.
      const third = await world(true, dir);
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal((await events(third.trail, 'DisableKey')).length, 1);
      third.kms.destroy();
      third.trail.destroy();
    } finally {
      next.kms.destroy();
      next.trail.destroy();
    }
  } finally {
    for (const s of servers.splice(0)) await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
