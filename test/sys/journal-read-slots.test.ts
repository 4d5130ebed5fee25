import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PathRequest } from '../../src/core/index.js';
import { SealtrailError } from '../../src/errors/index.js';
import { currentReader } from '../../src/lib/reader-turns.js';
import {
  JOURNAL_READS_PER_SERVER, JOURNAL_READS_PER_TOKEN, createJournalReadSlots, heldUntilAnswered,
} from '../../src/sys/journal-read-slots.js';

/** A request of `accessor` (none: no token) whose answer is sent when `answer()` is called. */
function request(accessor: string | undefined, edge = true, remoteAddress = '192.0.2.7') {
  let answered = false;
  const waiting: (() => void)[] = [];
  const logical = {
    remoteAddress,
    ...(edge ? { whenAnswered: (done: () => void) => (answered ? done() : waiting.push(done)) } : {}),
  };
  const req = { logical, token: accessor === undefined ? undefined : { accessor, idHash: `id-${accessor}` } } as unknown as PathRequest;
  return { req, answer: () => { answered = true; waiting.splice(0).forEach((done) => done()); } };
}

const busyCode = async (p: Promise<unknown>) => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  return err instanceof SealtrailError ? `${err.kind}/${err.code}` : String(err);
};

test('a slot is held past the handler until the answer is sent', async () => {
  const slots = createJournalReadSlots();
  const read = heldUntilAnswered(slots, async () => ({ data: {} }));
  const pending = Array.from({ length: JOURNAL_READS_PER_TOKEN }, () => request('a'));
  for (const r of pending) await read(r.req);
  assert.equal(slots.inFlight, JOURNAL_READS_PER_TOKEN);
  assert.equal(await busyCode(read(request('a').req)), 'unavailable/journal_busy');
  await read(request('b').req);
  pending[0].answer();
  await read(request('a').req);
});

test('a connection gone before the handler ends frees its slot only when the handler ends', async () => {
  const slots = createJournalReadSlots();
  let finish!: () => void;
  const read = heldUntilAnswered(slots, () => new Promise((resolve) => { finish = () => resolve({ data: {} }); }));
  const r = request('a');
  r.answer();
  const running = read(r.req);
  assert.equal(slots.inFlight, 1);
  finish();
  await running;
  assert.equal(slots.inFlight, 0);
});

test('a failed read holds its slot until its error is sent; a request from no edge frees it on return', async () => {
  const slots = createJournalReadSlots();
  const failing = heldUntilAnswered(slots, async () => { throw new Error('query failed'); });
  const r = request('a');
  await assert.rejects(failing(r.req), /query failed/);
  assert.equal(slots.inFlight, 1);
  r.answer();
  assert.equal(slots.inFlight, 0);
  await heldUntilAnswered(slots, async () => ({ data: {} }))(request('a', false).req);
  assert.equal(slots.inFlight, 0);
});

test('the server\'s limit holds across tokens; reads without a token count by address', async () => {
  const slots = createJournalReadSlots();
  const read = heldUntilAnswered(slots, async () => ({ data: {} }));
  for (let i = 0; i < JOURNAL_READS_PER_TOKEN; i++) await read(request(undefined).req);
  assert.equal(await busyCode(read(request(undefined).req)), 'unavailable/journal_busy');
  for (let i = JOURNAL_READS_PER_TOKEN; i < JOURNAL_READS_PER_SERVER; i++) await read(request(`t${i}`).req);
  const refused = await read(request('fresh').req).catch((e: SealtrailError) => e);
  assert.match((refused as SealtrailError).message, /too many journal reads in flight on this server/);
});

test('a read runs as its token\'s (or its address\'s), so the reader thread serves tokens in turn', async () => {
  const slots = createJournalReadSlots();
  const read = heldUntilAnswered(slots, async () => {
    await Promise.resolve();
    return { data: { reader: currentReader() } };
  });
  assert.deepEqual((await read(request('acc-1').req))?.data, { reader: 'token:acc-1' });
  assert.deepEqual((await read(request(undefined).req))?.data, { reader: 'address:192.0.2.7' });
});

test('reads without a token from one IPv6 /64 share its limit, whichever addresses they come from', async () => {
  const slots = createJournalReadSlots();
  const read = heldUntilAnswered(slots, async () => ({ data: { reader: currentReader() } }));
  for (let i = 1; i <= JOURNAL_READS_PER_TOKEN; i++) await read(request(undefined, true, `2001:db8:1:2::${i}`).req);
  assert.equal(await busyCode(read(request(undefined, true, '2001:db8:1:2:ffff::9').req)), 'unavailable/journal_busy');
  assert.deepEqual((await read(request(undefined, true, '2001:db8:1:3::1').req))?.data, { reader: 'address:2001:db8:1:3::/64' });
});
