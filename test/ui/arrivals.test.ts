/** The timeline's live view: records arriving after the newest shown, read without falling behind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { followArrivals, PAGE_SIZE, POLL_MS } from '../../ui/src/lib/arrivals.js';
import type { JournalRecord } from '../../ui/src/lib/records.js';

const record = (seq: number, text = '{}'): JournalRecord => ({
  seq, time: '2026-12-07T20:00:00Z', kind: 'vault-request', request_id: null, accessor: null, entity_id: null, correlation_id: null,
  access_key_id: null, user_arn: null, key_arn: null, capsule: null, session: null, remote_address: null, path: null, operation: null,
  outcome: null, text,
});

/** A journal whose pages end at PAGE_SIZE records or, as the server's, past 16 Mi characters of text. */
function journal(records: readonly JournalRecord[]) {
  return async (afterSeq: number): Promise<JournalRecord[]> => {
    const page: JournalRecord[] = [];
    let chars = 0;
    for (const r of records) {
      if (r.seq <= afterSeq) continue;
      if (page.length === PAGE_SIZE || (page.length > 0 && chars + r.text!.length > 16 * 1024 * 1024)) break;
      page.push(r);
      chars += r.text!.length;
    }
    return page;
  };
}

/** Follows `records` after seq -1 for `polls` waits of POLL_MS; what was shown, in order. */
async function follow(records: readonly JournalRecord[], polls: number) {
  const shown: number[] = [];
  const waits: number[] = [];
  let left = polls;
  await followArrivals({
    read: journal(records),
    onRecords: (page) => shown.push(...page.map((r) => r.seq)),
    onError: (err) => assert.fail(err),
    wait: async (ms) => {
      waits.push(ms);
      if (ms === POLL_MS) left--;
      return left >= 0;
    },
  }, -1);
  return { shown, waits };
}

test('a burst of several pages is read at once, not one page per poll', async () => {
  const burst = Array.from({ length: 2 * PAGE_SIZE + 500 }, (_, seq) => record(seq));
  const { shown, waits } = await follow(burst, 1);
  assert.equal(shown.length, burst.length, 'every record of the burst after one poll interval');
  assert.deepEqual(shown, burst.map((r) => r.seq));
  assert.deepEqual(waits, [POLL_MS, 0, 0, POLL_MS], 'the next pages at once, then the poll interval again');
});

test('a page the server ended early at its text budget is followed at once too', async () => {
  const large = Array.from({ length: 600 }, (_, seq) => record(seq, 'x'.repeat(60_000)));
  const { shown } = await follow(large, 1);
  assert.equal(shown.length, large.length);
});

test('a quiet journal is polled every POLL_MS, a short page ending the burst', async () => {
  const few = Array.from({ length: 3 }, (_, seq) => record(seq));
  const { shown, waits } = await follow(few, 3);
  assert.deepEqual(shown, [0, 1, 2]);
  assert.deepEqual(waits, [POLL_MS, POLL_MS, POLL_MS, POLL_MS]);
});

test('an error is reported and the next poll waits the interval', async () => {
  const errors: string[] = [];
  const waits: number[] = [];
  let reads = 0;
  await followArrivals({
    read: async () => { reads++; throw new Error('permission denied'); },
    onRecords: () => assert.fail('no records'),
    onError: (err) => errors.push(err.message),
    wait: async (ms) => { waits.push(ms); return waits.length < 3; },
  }, 5);
  assert.equal(reads, 2);
  assert.deepEqual(errors, ['permission denied', 'permission denied']);
  assert.deepEqual(waits, [POLL_MS, POLL_MS, POLL_MS]);
});

test('a full page that does not move past the last seq waits the interval (no loop on a bad answer)', async () => {
  const waits: number[] = [];
  const stale = Array.from({ length: PAGE_SIZE }, (_, seq) => record(seq));
  await followArrivals({
    read: async () => stale,
    onRecords: () => undefined,
    onError: (err) => assert.fail(err),
    wait: async (ms) => { waits.push(ms); return waits.length < 4; },
  }, PAGE_SIZE);
  assert.deepEqual(waits, [POLL_MS, POLL_MS, POLL_MS, POLL_MS]);
});
