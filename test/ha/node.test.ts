/** The HA node's state machine over an in-memory lock whose clock the test does not control (real timers, short TTL). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHaNode, haTiming, monotonicMs, type HaBackend, type HaNode } from '../../src/ha/index.js';

const TTL = 600; // renew every 200 ms, serve at most 400 ms after a renewal, poll every 200 ms
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One lock, times from the monotonic clock (the "database"); `down` makes every call fail. */
function fakeLock() {
  let holder: { nodeId: string; apiAddr: string; expires: number; acquiredAt: Date } | undefined;
  const state = { down: false, renewals: 0, releases: 0 };
  const guard = () => { if (state.down) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }); };
  const live = () => (holder && holder.expires > monotonicMs() ? holder : undefined);
  const backend: HaBackend = {
    async tryAcquire(nodeId, apiAddr, ttl) {
      guard();
      if (live() && live()!.nodeId !== nodeId) return false;
      holder = { nodeId, apiAddr, expires: monotonicMs() + ttl, acquiredAt: new Date() };
      return true;
    },
    async renew(nodeId, ttl) {
      guard();
      if (live()?.nodeId !== nodeId) return false;
      state.renewals++;
      holder!.expires = monotonicMs() + ttl;
      return true;
    },
    async release(nodeId) { guard(); if (holder?.nodeId === nodeId) { holder.expires = 0; state.releases++; } },
    async holder() { guard(); const h = live(); return h && { nodeId: h.nodeId, apiAddr: h.apiAddr, acquiredAt: h.acquiredAt }; },
    async echo() { guard(); },
    async nodes() { guard(); return []; },
  };
  return { backend, state, expiresAt: () => holder?.expires ?? 0, steal: (nodeId: string) => { holder = { nodeId, apiAddr: 'http://127.0.0.1:2', expires: monotonicMs() + TTL, acquiredAt: new Date() }; } };
}

function node(backend: HaBackend, events: string[], sealed = false): HaNode {
  return createHaNode({
    nodeId: 'n1', apiAddr: 'http://127.0.0.1:1', backend, timing: haTiming(TTL), now: () => Date.now(),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
    core: { isSealed: () => sealed, activate: async () => { events.push('activate'); }, deactivate: async () => { events.push('deactivate'); } },
  });
}

async function until(check: () => boolean, ms: number, what: string) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
}

/** A node over a fresh lock, unsealed and serving. */
async function servingNode() {
  const lock = fakeLock();
  const events: string[] = [];
  const n = node(lock.backend, events);
  n.unsealed();
  await until(() => n.view.serving(), 2000, 'serving');
  return { lock, events, n };
}

test('an unsealed node takes the free lock, builds services and serves while it renews', async () => {
  const lock = fakeLock();
  const events: string[] = [];
  const n = node(lock.backend, events);
  assert.equal(n.view.serving(), false);
  n.unsealed();
  await until(() => n.view.serving(), 2000, 'serving');
  assert.deepEqual(events, ['activate']);
  assert.equal(n.leader().is_self, true);
  await sleep(700);
  assert.ok(lock.state.renewals >= 2, `renewed ${lock.state.renewals} times`);
  assert.equal(n.view.serving(), true);
  await n.stop();
  assert.deepEqual(events, ['activate', 'deactivate']);
  assert.equal(lock.state.releases, 1);
});

test('fencing: when renewals fail, the node stops serving before its lease can expire', async () => {
  const { lock, events, n } = await servingNode();
  lock.state.down = true;
  const leaseEnd = lock.expiresAt();
  // Sampled every 5 ms: the node must never serve at or after the moment another could take the lock.
  let lastServing = 0;
  while (monotonicMs() < leaseEnd + 200) {
    if (n.view.serving()) lastServing = monotonicMs();
    await sleep(5);
  }
  assert.ok(lastServing > 0 && lastServing < leaseEnd, `served until ${lastServing}, lease ended ${leaseEnd}`);
  assert.ok(leaseEnd - lastServing >= TTL / 3 - 50, `stopped ${leaseEnd - lastServing} ms before the lease ended`);
  await until(() => events.includes('deactivate'), 1000, 'services torn down');
  assert.equal(n.role(), 'standby');
  assert.equal(n.view.standingBy(), true);
  assert.equal(n.view.leaderAddress(), undefined);
  await n.stop();
});

test('a node whose event loop stalls past its lease holds it no more on waking, before its fence timer has run', async () => {
  const { lock, n } = await servingNode();
  assert.equal(n.holdsLease(), true);
  lock.state.down = true;
  // A stall (a paused process): no timer runs until it ends, the fence's neither.
  const end = monotonicMs() + TTL;
  while (monotonicMs() < end) { /* stalled */ }
  assert.equal(n.role(), 'active', 'the fence timer has not run yet');
  assert.equal(n.holdsLease(), false, 'but the lease window is over: nothing may be appended');
  await until(() => n.role() === 'standby', 1000, 'fenced');
  assert.equal(n.holdsLease(), false);
  await n.stop();
});

test('a renewal that finds the lock taken ends the active role at once; the standby then points at the new holder', async () => {
  const { lock, events, n } = await servingNode();
  lock.steal('n2');
  await until(() => events.includes('deactivate'), 1000, 'demoted');
  assert.equal(n.view.serving(), false);
  await until(() => n.view.leaderAddress() === 'http://127.0.0.1:2', 1000, 'knows the new active');
  assert.equal(n.leader().leader_address, 'http://127.0.0.1:2');
  await n.stop();
});

test('step-down releases the lock and keeps out of the election for the hold-off', async () => {
  const { lock, events, n } = await servingNode();
  const at = monotonicMs();
  await n.stepDown();
  assert.equal(n.view.serving(), false);
  assert.equal(lock.state.releases, 1);
  await until(() => n.view.serving(), 3000, 'active again after the hold-off');
  assert.ok(monotonicMs() - at >= haTiming(TTL).stepDownHoldOffMs, 'not before the hold-off');
  assert.deepEqual(events, ['activate', 'deactivate', 'activate']);
  await n.stop();
});

test('a sealed node never competes for the lock', async () => {
  const lock = fakeLock();
  const events: string[] = [];
  const n = node(lock.backend, events, true);
  await sleep(300);
  assert.equal(n.role(), 'sealed');
  assert.equal(n.view.standingBy(), false);
  assert.equal(lock.expiresAt(), 0);
  assert.deepEqual(events, []);
  await n.stop();
});
