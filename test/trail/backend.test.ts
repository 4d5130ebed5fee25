import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathRouter, type BackendRequest, type LogicalRequest, type MountEntry, type TokenEntry } from '../../src/core/index.js';
import { SealtrailError } from '../../src/errors/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { trailSysPaths } from '../../src/sys/trails.js';
import { trailBackend } from '../../src/trail/backend.js';
import { createTrailManager } from '../../src/trail/delivery/trail-manager.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import type { TrailEventInput } from '../../src/trail/model.js';
import { createTrailRecorder } from '../../src/trail/recorder.js';
import { keysFromPublicKeyList } from '../../src/trail/validate/public-keys.js';
import { ACCOUNT, kmsEvent } from './fixtures.js';

const T0 = Date.UTC(2024, 10, 14, 23, 0, 0);
const mount = { path: 'trail/', type: 'trail' } as MountEntry;
const req = (path: string, data: Record<string, unknown>, operation: BackendRequest['operation'] = 'update') =>
  ({ logical: {} as BackendRequest['logical'], operation, path, data, mount }) as BackendRequest;

async function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'trail-backend-'));
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(2), clock, purgeIntervalMs: 0 });
  const trails = createTrailManager({ trails: [{ name: 'main', directory: dir, bucket: 'b' }], accountId: ACCOUNT, region: 'us-east-1', store: () => store, storage: createMemoryStorage(), clock });
  await trails.start();
  const backend = await trailBackend({
    store: () => store, trails: () => trails, region: 'us-east-1', accountId: ACCOUNT, recorder: createTrailRecorder({ store: () => store }),
    identify: async () => ({ type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: '', userName: '' }),
  })({ mount, storage: createMemoryStorage(), clock });
  return { dir, clock, store, trails, backend, done: async () => { await trails.stop(); await store.close(); rmSync(dir, { recursive: true, force: true }); } };
}

test('trail/aws/<Op> answers LookupEvents, ListPublicKeys, GetTrail, DescribeTrails, ListTrails and GetEventSelectors with AWS bodies', async () => {
  const s = await setup();
  try {
    await createTrailRecorder({ store: () => s.store }).record(kmsEvent({ eventTime: T0 }));
    const lookup = await s.backend.handleRequest(req('aws/LookupEvents', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GenerateDataKey' }] }));
    const events = (lookup?.data as { Events: Array<{ EventName: string; Username: string }> }).Events;
    assert.deepEqual(events.map((e) => [e.EventName, e.Username]), [['GenerateDataKey', 'Alice']]);

    const keys = await s.backend.handleRequest(req('aws/ListPublicKeys', {}));
    const list = (keys?.data as { PublicKeyList: Array<{ Value: string; Fingerprint: string; ValidityStartTime: number; ValidityEndTime: number }> }).PublicKeyList;
    assert.equal(list.length, 1);
    assert.match(list[0].Fingerprint, /^[0-9a-f]{32}$/);
    assert.equal(list[0].ValidityStartTime, T0 / 1000);
    assert.deepEqual([...keysFromPublicKeyList(list).keys()], [list[0].Fingerprint], 'the fingerprint is the MD5 of the DER value');

    const trail = await s.backend.handleRequest(req('aws/GetTrail', { Name: 'main' }));
    assert.deepEqual((trail?.data as { Trail: Record<string, unknown> }).Trail.TrailARN, `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`);
    const described = await s.backend.handleRequest(req('aws/DescribeTrails', {}));
    assert.equal((described?.data as { trailList: unknown[] }).trailList.length, 1);
    const listed = await s.backend.handleRequest(req('aws/ListTrails', {}));
    assert.deepEqual(listed?.data, { Trails: [{ TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`, Name: 'main', HomeRegion: 'us-east-1' }] });
    const selectors = await s.backend.handleRequest(req('aws/GetEventSelectors', { TrailName: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main` }));
    assert.deepEqual(selectors?.data, {
      TrailARN: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`,
      EventSelectors: [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }],
    });

    for (const [path, body, code] of [
      ['aws/GetTrail', { Name: 'nope' }, 'TrailNotFoundException'],
      ['aws/GetEventSelectors', { TrailName: 'nope' }, 'TrailNotFoundException'],
      ['aws/DeleteTrail', {}, 'UnknownOperationException'],
      ['aws/constructor', {}, 'UnknownOperationException'],
      ['aws/LookupEvents', { MaxResults: 99 }, 'InvalidMaxResultsException'],
    ] as const) {
      await assert.rejects(s.backend.handleRequest(req(path, body)), (err: unknown) => err instanceof SealtrailError && err.code === code, path);
    }
  } finally {
    await s.done();
  }
});

test('sys/trails lists trails and trails/<name>/deliver writes the files', async () => {
  const s = await setup();
  try {
    const router = pathRouter(trailSysPaths({ trails: () => s.trails }));
    const listed = await router.handle(req('trails', {}, 'list'));
    assert.deepEqual((listed?.data as { keys: string[] }).keys, ['main']);
    await createTrailRecorder({ store: () => s.store }).record(kmsEvent({ eventTime: T0 }));
    s.clock.advance(2000);
    const delivered = await router.handle(req('trails/main/deliver', {}));
    const data = delivered?.data as { log_files: string[]; digest_file: string };
    assert.equal(data.log_files.length, 1);
    assert.match(data.log_files[0], /^s3:\/\/b\/AWSLogs\/111122223333\/CloudTrail\/us-east-1\/2024\/11\/14\//);
    assert.equal(data.digest_file, 's3://b/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2024/11/14/111122223333_CloudTrail-Digest_us-east-1_main_us-east-1_20241114T230002Z.json.gz');
    await assert.rejects(router.handle(req('trails/other/deliver', {})), (err: unknown) => err instanceof SealtrailError && err.code === 'trail_not_found');
  } finally {
    await s.done();
  }
});

test('a member of the wrong JSON type is SerializationException naming it, not taken as absent', async () => {
  const s = await setup();
  try {
    for (const [path, body, message] of [
      // Taken as absent, a trailNameList of one name would list every trail.
      ['aws/DescribeTrails', { trailNameList: 'main' }, 'trailNameList: expected a list of strings'],
      ['aws/GetTrail', { Name: ['main'] }, 'Name: expected a string'],
      ['aws/LookupEvents', { LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 7 }] }, 'LookupAttributes.1.AttributeValue: expected a string'],
      ['aws/LookupEvents', { StartTime: '2024-11-14' }, 'StartTime: expected a number'],
      ['aws/ListPublicKeys', { EndTime: 'now' }, 'EndTime: expected a number'],
    ] as const) {
      await assert.rejects(s.backend.handleRequest(req(path, body)), (err: unknown) => err instanceof SealtrailError && err.code === 'SerializationException' && err.message === message, path);
    }
    const named = await s.backend.handleRequest(req('aws/DescribeTrails', { trailNameList: ['other'] }));
    assert.deepEqual(named?.data, { trailList: [] });
  } finally {
    await s.done();
  }
});

test('LookupEvents: a whole-second EndTime takes the whole second events are shown at: an event at X.382 is in [X, X] and in [X-60, X], not in [X+1, ...]', async () => {
  const s = await setup();
  try {
    const at = T0 + 43_382; // shown as EventTime X = T0/1000 + 43
    await createTrailRecorder({ store: () => s.store }).record(kmsEvent({ eventTime: at }));
    const x = Math.floor(at / 1000);
    const found = async (range: Record<string, number>) =>
      ((await s.backend.handleRequest(req('aws/LookupEvents', range)))?.data as { Events: Array<{ EventTime: number }> }).Events.map((e) => e.EventTime);
    assert.deepEqual(await found({ StartTime: x, EndTime: x }), [x]);
    assert.deepEqual(await found({ StartTime: x - 60, EndTime: x }), [x]);
    assert.deepEqual(await found({ StartTime: x + 1, EndTime: x + 60 }), []);
    assert.deepEqual(await found({ StartTime: x - 60, EndTime: x - 1 }), []);
    // A time with a fraction is taken to the millisecond.
    assert.deepEqual(await found({ StartTime: x + 0.3, EndTime: x + 0.4 }), [x]);
    assert.deepEqual(await found({ StartTime: x + 0.4, EndTime: x + 0.95 }), []);
    assert.deepEqual(await found({ StartTime: x - 1, EndTime: x + 0.3 }), []);
  } finally {
    await s.done();
  }
});

test('trails named as no trail can be named are refused as AWS refuses them; ListPublicKeys refuses a reversed range', async () => {
  const s = await setup();
  try {
    const refused = async (op: string, body: Record<string, unknown>) => {
      try {
        await s.backend.handleRequest(req(`aws/${op}`, body));
      } catch (err) {
        assert.ok(err instanceof SealtrailError);
        return err.code;
      }
      return 'answered';
    };
    for (const name of ['bad name!', 'ab', 'my--trail', 'my-_trail', '-main', 'main.', '192.168.5.4', 'x'.repeat(129)]) {
      assert.equal(await refused('GetTrail', { Name: name }), 'InvalidTrailNameException', name);
      assert.equal(await refused('DescribeTrails', { trailNameList: [name] }), 'InvalidTrailNameException', name);
    }
    for (const arn of [`arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/`, 'arn:aws:cloudtrail:us-east-1:abc:trail/main', `arn:aws:s3:::${ACCOUNT}`]) {
      assert.equal(await refused('GetTrailStatus', { Name: arn }), 'CloudTrailARNInvalidException', arn);
    }
    // Well-formed names and ARNs of no trail are unknown, as before; the configured one is found.
    assert.equal(await refused('GetTrail', { Name: 'other-trail' }), 'TrailNotFoundException');
    assert.equal(await refused('GetEventSelectors', { TrailName: `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/other` }), 'TrailNotFoundException');
    assert.equal(await refused('GetTrail', { Name: 'main' }), 'answered');
    assert.equal(await refused('ListPublicKeys', { StartTime: T0 / 1000 + 60, EndTime: T0 / 1000 }), 'InvalidTimeRangeException');
    const keys = (await s.backend.handleRequest(req('aws/ListPublicKeys', {})))?.data as { PublicKeyList: Array<{ ValidityStartTime: number; ValidityEndTime: number }> };
    for (const k of keys.PublicKeyList) assert.ok(k.ValidityEndTime >= k.ValidityStartTime);
  } finally {
    await s.done();
  }
});

test('DescribeTrails names the S3KeyPrefix the objects are under, also for a prefix written with a trailing "/"', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-backend-'));
  const clock = manualClock(T0);
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32).fill(2), clock, purgeIntervalMs: 0 });
  const trails = createTrailManager({ trails: [{ name: 'main', directory: dir, bucket: 'b', prefix: 'org/audit//' }], accountId: ACCOUNT, region: 'us-east-1', store: () => store, storage: createMemoryStorage(), clock });
  try {
    await trails.start();
    const backend = await trailBackend({
      store: () => store, trails: () => trails, region: 'us-east-1', accountId: ACCOUNT, recorder: createTrailRecorder({ store: () => store }),
      identify: async () => ({ type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: '', userName: '' }),
    })({ mount, storage: createMemoryStorage(), clock });
    clock.advance(1000);
    const { digestFile } = await trails.deliverNow('main');
    const described = await backend.handleRequest(req('aws/DescribeTrails', {}));
    const prefix = (described?.data as { trailList: Array<{ S3KeyPrefix?: string }> }).trailList[0].S3KeyPrefix;
    // aws-cli's validate-logs lists `<S3KeyPrefix>/AWSLogs/<account>/CloudTrail-Digest/...`.
    assert.ok(digestFile?.startsWith(`${prefix}/AWSLogs/${ACCOUNT}/CloudTrail-Digest/`), `${prefix} names no prefix of ${digestFile}`);
    assert.equal(prefix, 'org/audit');
  } finally {
    await trails.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the StartTime and EndTime a CloudTrail call sent are recorded as CloudTrail records dates ("Oct 26, 2025, 11:50:52 PM")', async () => {
  const events: TrailEventInput[] = [];
  const recorder = { record: async (e: TrailEventInput) => void events.push(e), admit: () => undefined, pending: () => 0, failing: () => false, close: async () => 0 };
  const clock = manualClock(T0);
  const backend = await trailBackend({
    store: () => { throw new Error('not read'); }, trails: () => { throw new Error('not read'); }, region: 'us-east-1', accountId: ACCOUNT, recorder,
    identify: async () => ({ type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: '', userName: '' }),
  })({ mount, storage: createMemoryStorage(), clock });
  const token = { accessor: 'acc-root', policies: ['root'], path: 'auth/token/root' } as TokenEntry;
  for (const [op, data] of [
    ['LookupEvents', { StartTime: 1761522652, EndTime: 1761523252.5, MaxResults: 5 }],
    ['ListPublicKeys', { StartTime: 1761436800 }],
  ] as const) {
    const logical = { id: `req-${op}`, operation: 'update', path: `trail/aws/${op}`, data, clientToken: 'root', remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0 } as LogicalRequest;
    await backend.recordOutcome!({ request: logical, path: `aws/${op}`, token, response: { data: {} } });
  }
  assert.deepEqual(events.map((e) => e.requestParameters), [
    { startTime: 'Oct 26, 2025, 11:50:52 PM', endTime: 'Oct 27, 2025, 12:00:52 AM', maxResults: 5 },
    { startTime: 'Oct 26, 2025, 12:00:00 AM' },
  ]);
});
