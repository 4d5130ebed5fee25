import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, harness, rejects, type Harness } from './helpers.js';

const T1 = '2024-11-14T23:46:28.382Z';
const T2 = '2024-11-14T23:46:29.382Z';
const T3 = '2024-11-14T23:46:30.382Z';

/** Three versions written at T0, T1, T2; the clock then stands at T3. */
async function threeVersions(): Promise<Harness> {
  const h = await harness();
  for (let v = 1; v <= 3; v++) {
    await h.write('s', { v });
    h.clock.advance(1000);
  }
  return h;
}

async function versionsOf(h: Harness): Promise<unknown> {
  return (await h.call('read', 'metadata/s'))?.data?.versions;
}

test('delete/<path> soft-deletes listed versions; undelete restores them', async () => {
  const h = await threeVersions();
  assert.equal(await h.call('update', 'delete/s', { versions: [1, 3, 42] }), undefined);
  assert.deepEqual(await versionsOf(h), {
    1: { created_time: T0, deletion_time: T3, destroyed: false },
    2: { created_time: T1, deletion_time: '', destroyed: false },
    3: { created_time: T2, deletion_time: T3, destroyed: false },
  });
  assert.deepEqual(await h.call('read', 'data/s', { version: 1 }), {
    httpStatus: 404,
    data: { data: null, metadata: { created_time: T0, custom_metadata: null, deletion_time: T3, destroyed: false, version: 1 } },
  });
  assert.equal(await h.call('update', 'undelete/s', { versions: '1,3' }), undefined);
  assert.deepEqual(await h.call('read', 'data/s', { version: 1 }), {
    data: { data: { v: 1 }, metadata: { created_time: T0, custom_metadata: null, deletion_time: '', destroyed: false, version: 1 } },
  });
  assert.deepEqual((await h.call('read', 'data/s'))?.data?.data, { v: 3 });
});

test('destroy/<path> removes version data for good', async () => {
  const h = await threeVersions();
  assert.equal(await h.call('update', 'destroy/s', { versions: ['2'] }), undefined);
  assert.deepEqual(h.storage.keys(), ['metadata/s', 'versions/s/1', 'versions/s/3']);
  assert.deepEqual(await h.call('read', 'data/s', { version: 2 }), {
    httpStatus: 404,
    data: { data: null, metadata: { created_time: T1, custom_metadata: null, deletion_time: '', destroyed: true, version: 2 } },
  });
  // A destroyed version cannot be undeleted or deleted.
  const before = await h.snapshot();
  await h.call('update', 'undelete/s', { versions: [2] });
  await h.call('update', 'delete/s', { versions: 2 });
  assert.deepEqual(await h.snapshot(), before);
  assert.deepEqual((await versionsOf(h) as Record<string, unknown>)[2], { created_time: T1, deletion_time: '', destroyed: true });
});

test('version actions need versions; missing secrets are a silent 204', async () => {
  const h = await threeVersions();
  const before = await h.snapshot();
  await rejects(h.call('update', 'delete/s', {}), 'invalid', 'No version number provided');
  await rejects(h.call('update', 'undelete/s', { versions: [] }), 'invalid', 'No version number provided');
  await rejects(h.call('update', 'destroy/s', { versions: '' }), 'invalid', 'no version number provided');
  await rejects(h.call('update', 'destroy/s', { versions: ['one'] }), 'invalid',
    'error converting input for field "versions": expected a list of integers');
  await rejects(h.call('update', 'destroy/../s', { versions: [1] }), 'invalid',
    'invalid path: empty, "." and ".." segments are not allowed');
  assert.equal(await h.call('update', 'destroy/other', { versions: [1] }), undefined);
  assert.equal(await h.call('create', 'delete/other', { versions: [1] }), undefined);
  assert.deepEqual(await h.snapshot(), before);
  await rejects(h.call('read', 'delete/s'), 'unsupported', 'unsupported operation');
});

test('max_versions pruning keeps the newest N and advances oldest_version', async () => {
  const h = await harness();
  await h.call('update', 'config', { max_versions: 3 });
  for (let v = 1; v <= 5; v++) await h.write('p', { v });
  const meta = (await h.call('read', 'metadata/p'))?.data;
  assert.equal(meta?.current_version, 5);
  assert.equal(meta?.oldest_version, 3);
  assert.deepEqual(Object.keys(meta?.versions as object), ['3', '4', '5']);
  assert.deepEqual(h.storage.keys(), ['config', 'metadata/p', 'versions/p/3', 'versions/p/4', 'versions/p/5']);
  assert.deepEqual(await h.call('read', 'data/p', { version: 2 }), { httpStatus: 404 });
  assert.deepEqual((await h.call('read', 'data/p', { version: 3 }))?.data?.data, { v: 3 });
});

test('the default keeps 10 versions; oldest_version stays 0 until the first pruning', async () => {
  const h = await harness();
  for (let v = 1; v <= 9; v++) await h.write('d', { v });
  assert.equal((await h.call('read', 'metadata/d'))?.data?.oldest_version, 0);
  await h.write('d', { v: 10 });
  await h.write('d', { v: 11 });
  const meta = (await h.call('read', 'metadata/d'))?.data;
  assert.equal(meta?.oldest_version, 2);
  assert.deepEqual(Object.keys(meta?.versions as object).map(Number), [2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  assert.equal(h.storage.keys().filter((k) => k.startsWith('versions/')).length, 10);
});

test('a key max_versions raises retention above the mount, and lowering it prunes on the next write', async () => {
  const h = await harness();
  await h.call('update', 'config', { max_versions: 2 });
  await h.call('update', 'metadata/k', { max_versions: 4 });
  for (let v = 1; v <= 5; v++) await h.write('k', { v });
  assert.deepEqual(Object.keys((await h.call('read', 'metadata/k'))?.data?.versions as object), ['2', '3', '4', '5']);
  // Vault keeps the larger of the key's and the mount's setting, so 1 on the key means 2 here.
  await h.call('update', 'metadata/k', { max_versions: 1 });
  await h.write('k', { v: 6 });
  const meta = (await h.call('read', 'metadata/k'))?.data;
  assert.deepEqual(Object.keys(meta?.versions as object), ['5', '6']);
  assert.equal(meta?.oldest_version, 5);
  assert.deepEqual(h.storage.keys().filter((k) => k.startsWith('versions/')), ['versions/k/5', 'versions/k/6']);
});
