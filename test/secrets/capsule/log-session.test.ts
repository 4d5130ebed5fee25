import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SESSION_ID_RE } from '../../../src/secrets/capsule/log/log-key.js';
import { recordCapsuleMountTune } from '../../../src/secrets/capsule/index.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import { APP, harness, token } from './helpers.js';

test('access and control records name the session by a derived id, never the token accessor', async () => {
  const h = await harness();
  const other = token('acc-other-token', 'other');
  const { data } = (await h.call('update', 'encapsulate', { data: 'hello John Smith' }))!;
  await h.call('update', 'load', { read_context: 'default', capsule: data!.capsule });
  await h.call('update', 'encapsulate', { data: 'x' }, other);
  await h.call('update', 'write-context/extra', { description: 'd' });
  await recordCapsuleMountTune(h.backend, { session: APP.accessor, url: '/v1/sys/mounts/capsule/tune', description: {} });

  const access = await h.accessLog({ order: 'asc' });
  const control = await h.controlLog({ order: 'asc' });
  const mine = await h.backend.sessionId(APP.accessor);
  assert.match(mine, SESSION_ID_RE);
  assert.deepEqual(access.map((r) => r.session), [mine, mine, mine, await h.backend.sessionId(other.accessor)]);
  assert.notEqual(access[3].session, mine);
  assert.ok(control.length >= 2 && control.every((r) => r.session === mine), JSON.stringify(control.map((r) => r.session)));
  const text = JSON.stringify([access, control]);
  assert.ok(!text.includes(APP.accessor) && !text.includes(other.accessor), 'no accessor in any record');
  // Nor in storage: the records, the index paths and their values.
  for (const key of h.storage.keys()) {
    assert.ok(!key.includes(APP.accessor), key);
    const value = Buffer.from((await h.storage.get(key))!).toString('latin1');
    assert.ok(!value.includes(APP.accessor), `value of ${key}`);
  }

  // A session filter takes the session id, or an accessor standing for it.
  assert.deepEqual((await h.accessLog({ session: mine })).map((r) => r.id), (await h.accessLog({ session: APP.accessor })).map((r) => r.id));
  assert.equal((await h.accessLog({ session: mine })).length, 3);
});

test('the session id is stable for a token, per domain, and across a restart of the backend', async () => {
  const storage = createMemoryStorage();
  const first = await harness({ wrap: () => storage });
  const second = await harness({ wrap: () => storage });
  const elsewhere = await harness();
  const id = await first.backend.sessionId(APP.accessor);
  assert.equal(await second.backend.sessionId(APP.accessor), id, 'same storage, same key: same id');
  assert.notEqual(await elsewhere.backend.sessionId(APP.accessor), id, 'another domain (its own key) cannot link the sessions');
});
