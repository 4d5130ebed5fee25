/**
 * LookupEvents latency with a large event store: fills a temporary SQLite store with `events`
 * events (bulk transactions of 10,000), then times LookupEvents for a few query shapes.
 *
 *   node --import tsx bench/trail.ts [events]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/lib/clock.js';
import { formatCloudTrailRecord } from '../src/trail/format.js';
import { lookupEvents } from '../src/trail/lookup/lookup-events.js';
import { createEventStore } from '../src/trail/store/event-store.js';
import type { AppendInput } from '../src/trail/store/types.js';

export interface LookupBenchResult {
  events: number;
  fillSeconds: number;
  queries: Record<string, { p50Ms: number; p99Ms: number; runs: number }>;
}

const NAMES = ['Encrypt', 'Decrypt', 'GenerateDataKey', 'GenerateRandom', 'DescribeKey', 'CreateKey', 'ReEncrypt', 'ListKeys'];
const USERS = Array.from({ length: 20 }, (_, i) => `user${i}`);
const KEYS = Array.from({ length: 1000 }, (_, i) => `arn:aws:kms:us-east-1:111122223333:key/${String(i).padStart(8, '0')}-0000-4000-8000-000000000000`);

function event(i: number, t0: number): AppendInput {
  const timeMs = t0 + i * 50; // ~20 events per second of history
  const user = USERS[i % USERS.length];
  const name = NAMES[i % NAMES.length];
  const record = formatCloudTrailRecord({
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    requestId: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    eventTime: timeMs, eventSource: 'kms.amazonaws.com', eventName: name, awsRegion: 'us-east-1',
    sourceIpAddress: '192.0.2.0', userAgent: 'bench',
    userIdentity: { type: 'IAMUser', principalId: user, arn: `arn:aws:iam::111122223333:user/${user}`, accountId: '111122223333', accessKeyId: `AKIA${user.toUpperCase()}`, userName: user },
    requestParameters: { keyId: KEYS[i % KEYS.length] }, responseElements: null,
    readOnly: name !== 'CreateKey', resources: name === 'GenerateRandom' ? [] : [{ accountId: '111122223333', type: 'AWS::KMS::Key', arn: KEYS[(i * 7) % KEYS.length] }],
    managementEvent: true, eventCategory: 'Management', recipientAccountId: '111122223333',
  });
  return { record, timeMs };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export async function benchLookupEvents(opts: { events: number; runs?: number; dir?: string }): Promise<LookupBenchResult> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'sealtrail-bench-trail-'));
  const store = createEventStore({ path: join(dir, 'events.db'), encryptionKey: new Uint8Array(32).fill(3), clock: systemClock, purgeIntervalMs: 0 });
  const t0 = systemClock.now() - opts.events * 50;
  try {
    const fillStart = performance.now();
    for (let i = 0; i < opts.events; i += 10_000) {
      const batch: AppendInput[] = [];
      for (let j = i; j < Math.min(opts.events, i + 10_000); j++) batch.push(event(j, t0));
      (await store.appendBatch(batch));
    }
    const fillSeconds = (performance.now() - fillStart) / 1000;
    const runs = opts.runs ?? 200;
    const middle = (t0 + opts.events * 25) / 1000;
    const shapes: Record<string, (i: number) => Record<string, unknown>> = {
      'no attribute': () => ({}),
      'EventName': (i) => ({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: NAMES[i % NAMES.length] }] }),
      'Username': (i) => ({ LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: USERS[i % USERS.length] }] }),
      'ResourceName': (i) => ({ LookupAttributes: [{ AttributeKey: 'ResourceName', AttributeValue: KEYS[i % KEYS.length] }] }),
      'EventName + time range': (i) => ({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: NAMES[i % NAMES.length] }], StartTime: middle - 3600, EndTime: middle }),
      'rare EventId': (i) => ({ LookupAttributes: [{ AttributeKey: 'EventId', AttributeValue: `00000000-0000-4000-8000-${String((i * 7919) % opts.events).padStart(12, '0')}` }] }),
    };
    const queries: LookupBenchResult['queries'] = {};
    for (const [name, body] of Object.entries(shapes)) queries[name] = await time(runs, async (i) => void (await lookupEvents(store, body(i))));
    // Paging: the 5th page of a Username lookup (each timed call is one page request).
    queries['paging (page 5, Username)'] = await time(runs, async (i) => {
      const body = { LookupAttributes: [{ AttributeKey: 'Username', AttributeValue: USERS[i % USERS.length] }] };
      let token: string | undefined;
      for (let p = 0; p < 4; p++) token = (await lookupEvents(store, { ...body, NextToken: token })).NextToken;
      return async () => void (await lookupEvents(store, { ...body, NextToken: token }));
    });
    return { events: opts.events, fillSeconds, queries };
  } finally {
    await store.close();
    if (!opts.dir) rmSync(dir, { recursive: true, force: true });
  }
}

/** `fn` is timed; if it returns a function, setup was done and that function is what is timed. */
async function time(runs: number, fn: (i: number) => Promise<void | (() => Promise<void>)>) {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    const timed = await fn(i);
    if (typeof timed === 'function') {
      start = performance.now();
      await timed();
    }
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { p50Ms: r(percentile(samples, 50)), p99Ms: r(percentile(samples, 99)), runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const events = Number(process.argv[2] ?? 1_000_000);
  benchLookupEvents({ events }).then((r) => console.log(JSON.stringify(r, null, 2)));
}
