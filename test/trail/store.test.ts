import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { manualClock } from '../../src/lib/clock.js';
import { SealtrailError } from '../../src/errors/index.js';
import { formatCloudTrailRecord } from '../../src/trail/format.js';
import Database from 'better-sqlite3';
import pg from 'pg';
import { createEventStore, type EventStoreOptions } from '../../src/trail/store/event-store.js';
import { createPostgresEventStore } from '../../src/trail/store/postgres/pg-event-store.js';
import { freshDatabase } from '../journal/backends.js';
import { lookupEvents, SELF_READ_SETTLE_MS } from '../../src/trail/lookup/lookup-events.js';
import { createTrailRecorder } from '../../src/trail/recorder.js';
import { MAX_HELD_IDS, type EventStore } from '../../src/trail/store/types.js';
import { ACCOUNT, KEY_ARN, KEY_ID, kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 12, 0, 0);
const KEY = new Uint8Array(32).fill(7);
const OTHER_ARN = `arn:aws:kms:us-east-1:${ACCOUNT}:key/ffffffff-0000-1111-2222-333333333333`;

type Backend = 'sqlite' | 'postgresql';

/** A new, empty store on the backend (PostgreSQL: a database of its own, on the file's cluster). */
async function openStore(backend: Backend, opts: Omit<EventStoreOptions, 'path'>, url?: string): Promise<EventStore> {
  if (backend === 'sqlite') return createEventStore({ path: ':memory:', ...opts });
  return createPostgresEventStore({ url: url ?? await freshDatabase(), ...opts });
}

for (const backend of ['sqlite', 'postgresql'] as const) {
  /** Six events a minute apart: names, users, read-only and resources vary. */
  async function seeded(): Promise<{ store: EventStore; clock: ReturnType<typeof manualClock> }> {
    const clock = manualClock(T0 + 3600_000);
    const store = await openStore(backend, { encryptionKey: KEY, clock, purgeIntervalMs: 0 });
    const recorder = createTrailRecorder({ store: () => store });
    const rows: Array<[string, string, boolean, string[]]> = [
      ['CreateKey', 'Alice', false, [KEY_ARN]],
      ['Encrypt', 'Alice', true, [KEY_ARN]],
      ['Decrypt', 'Bob', true, [KEY_ARN]],
      ['GenerateRandom', 'Bob', true, []],
      ['ReEncrypt', 'Alice', true, [KEY_ARN, OTHER_ARN]],
      ['Decrypt', 'Alice', true, [OTHER_ARN]],
    ];
    // Recorded concurrently: one micro-batched transaction.
    await Promise.all(rows.map(([name, user, readOnly, arns], i) => recorder.record(kmsEvent({
      eventId: `00000000-0000-4000-8000-00000000000${i}`,
      eventTime: T0 + i * 60_000,
      eventName: name,
      readOnly,
      userIdentity: { ...kmsEvent().userIdentity, userName: user, accessKeyId: `AKIA${user.toUpperCase()}` },
      resources: arns.map((arn) => ({ accountId: ACCOUNT, type: 'AWS::KMS::Key' as const, arn })),
    }))));
    return { store, clock };
  }

  const ids = (r: { Events: Array<{ EventId: string }> }) => r.Events.map((e) => Number(e.EventId.slice(-1)));
  const attr = (AttributeKey: string, AttributeValue: string) => ({ LookupAttributes: [{ AttributeKey, AttributeValue }] });

  test(`${backend}: the appends of one synchronous run share one transaction: they commit or fail together, in call order`, async () => {
    // A trigger refuses one event by its id, inside the transaction that holds it.
    const clock = manualClock(T0);
    const dir = mkdtempSync(join(tmpdir(), 'sealtrail-store-batch-'));
    let store: EventStore;
    if (backend === 'sqlite') {
      const path = join(dir, 'events.db');
      store = createEventStore({ path, encryptionKey: KEY, clock, purgeIntervalMs: 0 });
      const db = new Database(path);
      db.exec("CREATE TRIGGER refuse_one BEFORE INSERT ON event_log WHEN NEW.event_id = 'evt-refused' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
      db.close();
    } else {
      const url = await freshDatabase();
      store = await createPostgresEventStore({ url, encryptionKey: KEY, clock, purgeIntervalMs: 0 });
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query("CREATE FUNCTION refuse_one() RETURNS trigger AS $$ BEGIN IF NEW.event_id = 'evt-refused' THEN RAISE EXCEPTION 'refused by the test'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql");
      await client.query('CREATE TRIGGER refuse_one BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION refuse_one()');
      await client.end();
    }
    const input = (eventId: string) => ({ record: formatCloudTrailRecord(kmsEvent({ eventId })), timeMs: T0 });
    try {
      const refused = ['evt-a', 'evt-refused', 'evt-b'].map((id) => store.append(input(id)));
      const outcomes = await Promise.allSettled(refused);
      assert.deepEqual(outcomes.map((o) => o.status), ['rejected', 'rejected', 'rejected'], 'the events before and after the refused one fail with it');
      assert.equal(await store.count(), 0);
      const seqs = await Promise.all(['evt-a', 'evt-b', 'evt-c'].map((id) => store.append(input(id))));
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), 'seqs in call order');
      assert.deepEqual((await store.readSince(0, 10)).map((e) => JSON.parse(e.json).eventID), ['evt-a', 'evt-b', 'evt-c']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test(`${backend}: holding answers which of many event ids the store holds, in one lookup`, async () => {
    const clock = manualClock(T0);
    const store = await openStore(backend, { encryptionKey: KEY, clock, purgeIntervalMs: 0 });
    try {
      const input = (eventId: string) => ({ record: formatCloudTrailRecord(kmsEvent({ eventId })), timeMs: T0 });
      await store.appendBatch([input('evt-indexed')]);
      // Acknowledged but not indexed yet on SQLite (the event log): held all the same.
      await store.append(input('evt-logged'));
      assert.deepEqual([...await store.holding(['evt-absent', 'evt-logged', 'evt-indexed', "evt-'quoted\"", 'evt-logged'])].sort(), ['evt-indexed', 'evt-logged']);
      assert.deepEqual([...await store.holding([])], []);
      await assert.rejects(store.holding(Array.from({ length: MAX_HELD_IDS + 1 }, (_, i) => `evt-${i}`)), RangeError);
    } finally {
      await store.close();
    }
  });

  test(`${backend}: an event id stored again is kept once, and the store goes on indexing and storing`, async () => {
    const clock = manualClock(T0);
    const store = await openStore(backend, { encryptionKey: KEY, clock, purgeIntervalMs: 0 });
    try {
      const input = (eventId: string) => ({ record: formatCloudTrailRecord(kmsEvent({ eventId })), timeMs: T0 });
      await store.append(input('evt-dup'));
      // Twice more: in a commit of its own, and beside a new event in one commit.
      await store.append(input('evt-dup'));
      await Promise.all([store.append(input('evt-dup')), store.append(input('evt-next'))]);
      assert.deepEqual((await store.readSince(0, 10)).map((e) => JSON.parse(e.json).eventID), ['evt-dup', 'evt-next']);
      assert.equal(await store.count(), 2);
      assert.deepEqual(ids(await lookupEvents(store, attr('ResourceName', KEY_ARN))).length, 2);
      await store.append(input('evt-after'));
      assert.equal(await store.count(), 3);
    } finally {
      await store.close();
    }
  });

  test(`${backend}: LookupEvents by each attribute, newest first`, async () => {
    const { store } = await seeded();
    const table: Array<[Record<string, unknown>, number[]]> = [
      [{}, [5, 4, 3, 2, 1, 0]],
      [attr('EventId', '00000000-0000-4000-8000-000000000002'), [2]],
      [attr('EventName', 'Decrypt'), [5, 2]],
      [attr('ReadOnly', 'false'), [0]],
      [attr('ReadOnly', 'true'), [5, 4, 3, 2, 1]],
      [attr('Username', 'Bob'), [3, 2]],
      [attr('AccessKeyId', 'AKIAALICE'), [5, 4, 1, 0]],
      [attr('EventSource', 'kms.amazonaws.com'), [5, 4, 3, 2, 1, 0]],
      [attr('ResourceType', 'AWS::KMS::Key'), [5, 4, 2, 1, 0]],
      [attr('ResourceName', KEY_ARN), [4, 2, 1, 0]],
      [attr('ResourceName', KEY_ID), [4, 2, 1, 0]],
      [attr('ResourceName', OTHER_ARN), [5, 4]],
      [attr('EventName', 'Nothing'), []],
    ];
    for (const [body, expected] of table) assert.deepEqual(ids((await lookupEvents(store, body))), expected, JSON.stringify(body));
    await store.close();
  });

  test(`${backend}: the event summary and CloudTrailEvent are AWS-shaped`, async () => {
    const { store } = await seeded();
    const [e] = (await lookupEvents(store, { ...attr('EventName', 'ReEncrypt') })).Events;
    assert.deepEqual(Object.keys(e), ['EventId', 'EventName', 'ReadOnly', 'AccessKeyId', 'EventTime', 'EventSource', 'Username', 'Resources', 'CloudTrailEvent']);
    assert.equal(e.ReadOnly, 'true');
    assert.equal(e.EventTime, (T0 + 4 * 60_000) / 1000);
    assert.deepEqual(e.Resources, [{ ResourceType: 'AWS::KMS::Key', ResourceName: KEY_ARN }, { ResourceType: 'AWS::KMS::Key', ResourceName: OTHER_ARN }]);
    const record = JSON.parse(e.CloudTrailEvent);
    assert.equal(record.eventVersion, '1.11');
    assert.equal(record.eventTime, '2024-11-14T12:04:00Z');
    await store.close();
  });

  test(`${backend}: StartTime and EndTime are inclusive epoch seconds, fractions allowed`, async () => {
    const { store } = await seeded();
    assert.deepEqual(ids((await lookupEvents(store, { StartTime: (T0 + 60_000) / 1000, EndTime: (T0 + 180_000) / 1000 }))), [3, 2, 1]);
    assert.deepEqual(ids((await lookupEvents(store, { StartTime: (T0 + 60_000) / 1000 + 0.5 }))), [5, 4, 3, 2]);
    assert.deepEqual(ids((await lookupEvents(store, { ...attr('Username', 'Alice'), EndTime: (T0 + 60_000) / 1000 }))), [1, 0]);
    await store.close();
  });

  test(`${backend}: paging with NextToken walks every event once; a token reused with other parameters is refused`, async () => {
    const { store } = await seeded();
    const p1 = (await lookupEvents(store, { MaxResults: 4 }));
    assert.deepEqual(ids(p1), [5, 4, 3, 2]);
    assert.ok(p1.NextToken);
    const p2 = (await lookupEvents(store, { MaxResults: 4, NextToken: p1.NextToken }));
    assert.deepEqual(ids(p2), [1, 0]);
    assert.equal(p2.NextToken, undefined, 'no token when nothing remains');
    // Exactly a page's worth: no token pointing at an empty page.
    assert.equal((await lookupEvents(store, { MaxResults: 6 })).NextToken, undefined);

    const a1 = (await lookupEvents(store, { ...attr('Username', 'Alice'), MaxResults: 1 }));
    const a2 = (await lookupEvents(store, { ...attr('Username', 'Alice'), MaxResults: 2, NextToken: a1.NextToken }));
    assert.deepEqual([...ids(a1), ...ids(a2)], [5, 4, 1]);
    for (const body of [
      { ...attr('Username', 'Bob'), NextToken: a1.NextToken },
      { NextToken: a1.NextToken },
      { ...attr('Username', 'Alice'), StartTime: T0 / 1000, NextToken: a1.NextToken },
      { NextToken: 'not-a-token' },
    ]) {
      await assert.rejects(async () => lookupEvents(store, body), (err: unknown) => err instanceof SealtrailError && err.code === 'InvalidNextTokenException' && err.kind === 'invalid');
    }
    await store.close();
  });

  test(`${backend}: CloudTrail read calls join the results with the next other event or once settled; a NextToken keeps its first page's set`, async () => {
    const { store } = await seeded();
    const recorder = createTrailRecorder({ store: () => store });
    const at = (min: number) => T0 + min * 60_000;
    const read = (n: number, min: number) => kmsEvent({ eventId: `00000000-0000-4000-8000-00000000000${n}`, eventTime: at(min), eventSource: 'cloudtrail.amazonaws.com', eventName: 'LookupEvents', readOnly: true, resources: [] });
    await recorder.record(read(6, 10));
    assert.deepEqual(ids((await lookupEvents(store, {}, at(10) + 1000))), [5, 4, 3, 2, 1, 0], 'a fresh read is not on top of the next lookup');
    assert.deepEqual(ids((await lookupEvents(store, attr('EventName', 'LookupEvents'), at(10) + 1000))), []);
    assert.deepEqual(ids((await lookupEvents(store, {}, at(10) + SELF_READ_SETTLE_MS))), [6, 5, 4, 3, 2, 1, 0], 'settled');
    await recorder.record(read(7, 11));
    await recorder.record(kmsEvent({ eventId: '00000000-0000-4000-8000-000000000008', eventTime: at(12) }));
    assert.deepEqual(ids((await lookupEvents(store, {}, at(12)))), [8, 7, 6, 5, 4, 3, 2, 1, 0], 'another event brings the reads before it');

    const p1 = (await lookupEvents(store, { MaxResults: 4 }, at(12)));
    // Recorded after the first page, with an older time than its last event: not in later pages.
    await recorder.record(kmsEvent({ eventId: '00000000-0000-4000-8000-000000000009', eventTime: at(3) + 1 }));
    const p2 = (await lookupEvents(store, { MaxResults: 10, NextToken: p1.NextToken }, at(13)));
    assert.deepEqual([...ids(p1), ...ids(p2)], [8, 7, 6, 5, 4, 3, 2, 1, 0]);
    assert.deepEqual(ids((await lookupEvents(store, {}, at(13)))), [8, 7, 6, 5, 4, 9, 3, 2, 1, 0], 'a new lookup sees it');
    await store.close();
  });

  test(`${backend}: EventCategory: "insight" finds no events (none are recorded); any other value is refused`, async () => {
    const { store } = await seeded();
    assert.deepEqual((await lookupEvents(store, { EventCategory: 'insight' })), { Events: [] });
    for (const EventCategory of ['Insight', 'management', 7]) {
      await assert.rejects(async () => lookupEvents(store, { EventCategory }), (err: unknown) => err instanceof SealtrailError && err.code === 'InvalidEventCategoryException' && err.kind === 'invalid');
    }
    await store.close();
  });

  test(`${backend}: AWS validation errors`, async () => {
    const { store } = await seeded();
    const table: Array<[Record<string, unknown>, string]> = [
      [{ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'A' }, { AttributeKey: 'Username', AttributeValue: 'B' }] }, 'InvalidLookupAttributesException'],
      [attr('Color', 'blue'), 'InvalidLookupAttributesException'],
      [attr('EventName', ''), 'InvalidLookupAttributesException'],
      [attr('ReadOnly', 'yes'), 'InvalidLookupAttributesException'],
      [{ StartTime: 200, EndTime: 100 }, 'InvalidTimeRangeException'],
      [{ StartTime: 'yesterday' }, 'InvalidTimeRangeException'],
      [{ MaxResults: 0 }, 'InvalidMaxResultsException'],
      [{ MaxResults: 51 }, 'InvalidMaxResultsException'],
      [{ MaxResults: 2.5 }, 'InvalidMaxResultsException'],
    ];
    for (const [body, code] of table) {
      await assert.rejects(async () => lookupEvents(store, body), (err: unknown) => err instanceof SealtrailError && err.code === code, JSON.stringify(body));
    }
    await store.close();
  });

  test(`${backend}: retention deletes events older than retentionMs, with their resource index rows`, async () => {
    const clock = manualClock(T0);
    const store = await openStore(backend, { encryptionKey: KEY, clock, retentionMs: 3 * 60_000, purgeIntervalMs: 0 });
    for (let i = 0; i < 5; i++) await store.append({ record: formatCloudTrailRecord(kmsEvent({ eventId: `e${i}` })), timeMs: T0 + i * 60_000 });
    clock.set(T0 + 5 * 60_000);
    assert.equal((await store.purgeExpired()), 2);
    assert.equal((await store.count()), 3);
    assert.deepEqual((await lookupEvents(store, attr('ResourceName', KEY_ARN))).Events.map((e) => e.EventId), ['e4', 'e3', 'e2']);
    await store.close();
  });
}

test('records are encrypted at rest; the wrong key cannot read them; queries use an index', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-store-'));
  try {
    const path = join(dir, 'events.db');
    const clock = manualClock(T0);
    const store = createEventStore({ path, encryptionKey: KEY, clock, purgeIntervalMs: 0 });
    const recorder = createTrailRecorder({ store: () => store });
    await recorder.record(kmsEvent({ requestParameters: { keyId: KEY_ID, encryptionContext: { tenant: 'zebra-context-marker' } } }));
    for (const q of [{ limit: 5 }, { attribute: { key: 'EventName' as const, value: 'x' }, limit: 5, before: { timeMs: 1, seq: 1 } }, { attribute: { key: 'ResourceName' as const, value: 'x' }, limit: 5, startMs: 1 }]) {
      const plan = (await store.explainQuery(q)).join('\n');
      assert.match(plan, /USING (COVERING )?INDEX|USING PRIMARY KEY/, plan);
      assert.doesNotMatch(plan, /TEMP B-TREE/, plan);
    }
    await store.close();
    const raw = Buffer.concat([readFileSync(path), ...['-wal'].map((s) => { try { return readFileSync(path + s); } catch { return Buffer.alloc(0); } })]);
    assert.equal(raw.includes('zebra-context-marker'), false);
    const wrong = createEventStore({ path, encryptionKey: new Uint8Array(32).fill(9), clock, purgeIntervalMs: 0 });
    await assert.rejects(async () => wrong.query({ limit: 1 }), (err: unknown) => err instanceof SealtrailError && err.kind === 'internal');
    await wrong.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('postgresql: records are encrypted at rest; the wrong key cannot read them; queries use an index', async () => {
  const url = await freshDatabase();
  const clock = manualClock(T0);
  const store = await openStore('postgresql', { encryptionKey: KEY, clock, purgeIntervalMs: 0 }, url);
  const recorder = createTrailRecorder({ store: () => store });
  await recorder.record(kmsEvent({ requestParameters: { keyId: KEY_ID, encryptionContext: { tenant: 'zebra-context-marker' } } }));
  await store.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ record: Buffer }>('SELECT record FROM events');
    assert.equal(rows.length, 1);
    assert.equal(rows[0].record.includes('zebra-context-marker'), false);
    // Plans as for a large table: an index serves each lookup shape in its order.
    await client.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET enable_seqscan = off`);
    await client.query(`ALTER DATABASE ${new URL(url).pathname.slice(1)} SET enable_sort = off`);
  } finally {
    await client.end();
  }
  const reopened = await openStore('postgresql', { encryptionKey: KEY, clock, purgeIntervalMs: 0 }, url);
  for (const q of [{ limit: 5 }, { attribute: { key: 'EventName' as const, value: 'x' }, limit: 5, before: { timeMs: 1, seq: 1 } }, { attribute: { key: 'ResourceName' as const, value: 'x' }, limit: 5, startMs: 1 }]) {
    const plan = (await reopened.explainQuery(q)).join('\n');
    assert.match(plan, /Index (Only )?Scan (Backward )?using/, plan);
    assert.doesNotMatch(plan, /Sort|Seq Scan/, plan);
  }
  await reopened.close();
  const wrong = await openStore('postgresql', { encryptionKey: new Uint8Array(32).fill(9), clock, purgeIntervalMs: 0 }, url);
  await assert.rejects(async () => wrong.query({ limit: 1 }), (err: unknown) => err instanceof SealtrailError && err.kind === 'internal');
  await wrong.close();
});
