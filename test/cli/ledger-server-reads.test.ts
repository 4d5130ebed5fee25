/**
 * The ledger commands' reads from a server: never more in flight than its journal read slots for
 * a token, and a read refused as busy (503 with Retry-After) sent again after the wait asked for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUSY_RETRIES, SERVER_READS_IN_FLIGHT, serverReadFetch } from '../../src/cli/ledger-fetch.js';

const busy = () => new Response(JSON.stringify({ errors: ['too many journal reads in flight'] }), { status: 503, headers: { 'retry-after': '1' } });

test('at most SERVER_READS_IN_FLIGHT reads at once; each is answered', async () => {
  let active = 0;
  let most = 0;
  const fetch = serverReadFetch(async (input) => {
    most = Math.max(most, ++active);
    await new Promise((resolve) => setTimeout(resolve, 5));
    active--;
    return new Response(input);
  });
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`tile/${i}`, {}).then((r) => r.text())));
  assert.deepEqual(answers, Array.from({ length: 20 }, (_, i) => `tile/${i}`));
  assert.equal(most, SERVER_READS_IN_FLIGHT);
});

test('a busy refusal is sent again after its Retry-After; other answers and a 503 without one are returned as they are', async () => {
  const waits: number[] = [];
  let calls = 0;
  const fetch = serverReadFetch(async (input) => {
    calls++;
    if (input === 'busy-twice' && calls <= 2) return busy();
    if (input === 'sealed') return new Response('{"errors":["Vault is sealed"]}', { status: 503 });
    return new Response('ok');
  }, async (ms) => { waits.push(ms); });
  const r = await fetch('busy-twice', {});
  assert.equal(r.status, 200);
  assert.deepEqual(waits, [1000, 1000]);
  calls = 0;
  assert.equal((await fetch('sealed', {})).status, 503);
  assert.equal(calls, 1);
  assert.equal((await fetch('missing', {})).status, 200);
});

test('a server busy every time: the refusal is returned after BUSY_RETRIES more tries', async () => {
  let calls = 0;
  const fetch = serverReadFetch(async () => { calls++; return busy(); }, async () => undefined);
  assert.equal((await fetch('tile/0', {})).status, 503);
  assert.equal(calls, BUSY_RETRIES + 1);
});
