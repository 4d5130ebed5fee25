import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kvBackend } from '../../../src/secrets/kv/index.js';
import { harness, mount, rejects, request } from './helpers.js';

test('config defaults are Vault\'s', async () => {
  const h = await harness();
  assert.deepEqual(await h.call('read', 'config'), { data: { cas_required: false, delete_version_after: '0s', max_versions: 0 } });
});

test('config update and read back', async () => {
  const h = await harness();
  const table: [Record<string, unknown>, Record<string, unknown>][] = [
    [{ max_versions: 7 }, { cas_required: false, delete_version_after: '0s', max_versions: 7 }],
    [{ cas_required: true, delete_version_after: 90 }, { cas_required: true, delete_version_after: '1m30s', max_versions: 7 }],
    [{ delete_version_after: '768h' }, { cas_required: true, delete_version_after: '768h0m0s', max_versions: 7 }],
    [{ delete_version_after: '-5s' }, { cas_required: true, delete_version_after: '-1s', max_versions: 7 }],
    [{ delete_version_after: 0, cas_required: 'false', max_versions: '0' }, { cas_required: false, delete_version_after: '0s', max_versions: 0 }],
  ];
  for (const [body, expected] of table) {
    assert.equal(await h.call('update', 'config', body), undefined);
    assert.deepEqual((await h.call('read', 'config'))?.data, expected);
  }
});

test('config is persisted in the mount storage', async () => {
  const h = await harness();
  await h.call('update', 'config', { max_versions: 4 });
  const fresh = await kvBackend({ mount, storage: h.storage, clock: h.clock });
  assert.equal((await fresh.handleRequest(request('read', 'config')))?.data?.max_versions, 4);
});

test('mount delete_version_after schedules deletions; the smaller of mount and key wins; -1 disables', async () => {
  const h = await harness();
  await h.call('update', 'config', { delete_version_after: '10m' });
  await h.call('update', 'metadata/short', { delete_version_after: '1m' });
  await h.call('update', 'metadata/long', { delete_version_after: '1h' });
  assert.equal((await h.write('short', { v: 1 }))?.data?.deletion_time, '2024-11-14T23:47:27.382Z');
  assert.equal((await h.write('long', { v: 1 }))?.data?.deletion_time, '2024-11-14T23:56:27.382Z');
  await h.call('update', 'config', { delete_version_after: -1 });
  assert.equal((await h.write('long', { v: 2 }))?.data?.deletion_time, '');
});

test('undelete reschedules the deletion when delete_version_after applies', async () => {
  const h = await harness();
  await h.call('update', 'config', { delete_version_after: 60 });
  await h.write('u', { v: 1 });
  h.clock.advance(120_000);
  assert.equal((await h.call('read', 'data/u'))?.httpStatus, 404);
  await h.call('update', 'undelete/u', { versions: [1] });
  const read = await h.call('read', 'data/u');
  assert.deepEqual(read?.data?.data, { v: 1 });
  assert.equal((read?.data?.metadata as Record<string, unknown>).deletion_time, '2024-11-14T23:49:27.382Z');
});

test('config rejects bad input and keeps the old settings', async () => {
  const h = await harness();
  await h.call('update', 'config', { max_versions: 3 });
  for (const [body, message] of [
    [{ max_versions: -2 }, '"max_versions" cannot be negative'],
    [{ max_versions: 2, cas_required: 'maybe' }, 'error converting input for field "cas_required": expected a boolean'],
    [{ delete_version_after: '1x' }, 'error converting input for field "delete_version_after": expected a duration'],
  ] as const) {
    await rejects(h.call('update', 'config', body), 'invalid', message);
  }
  assert.equal((await h.call('read', 'config'))?.data?.max_versions, 3);
  await rejects(h.call('delete', 'config'), 'unsupported', 'unsupported operation');
});

test('a delete_version_after longer than a Go duration holds is refused; the longest one works, and reads stay answerable', async () => {
  const h = await harness();
  for (const path of ['config', 'metadata/far']) {
    for (const value of ['100000000000000s', '9223372037', '1e400', 9_223_372_037]) {
      await rejects(h.call('update', path, { delete_version_after: value }), 'invalid', 'error converting input for field "delete_version_after": expected a duration');
    }
  }
  // 2562047h47m16s: Go's longest duration, in whole seconds.
  await h.call('update', 'metadata/far', { delete_version_after: '2562047h47m16s' });
  const written = await h.write('far', { v: 1 });
  assert.match(String(written?.data?.deletion_time), /^2317-/);
  assert.equal((await h.call('read', 'data/far'))?.data?.metadata && true, true);
  assert.equal((await h.call('read', 'metadata/far'))?.data?.delete_version_after, '2562047h47m16s');
});
