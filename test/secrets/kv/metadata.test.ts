import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, harness, rejects } from './helpers.js';

const T1 = '2024-11-14T23:46:28.382Z';
const T2 = '2024-11-14T23:46:29.382Z';

test('metadata read: settings, times and the version history', async () => {
  const h = await harness();
  await h.write('app', { v: 1 });
  h.clock.advance(1000);
  await h.write('app', { v: 2 });
  h.clock.advance(1000);
  await h.call('delete', 'data/app');
  assert.deepEqual(await h.call('read', 'metadata/app'), {
    data: {
      cas_required: false,
      created_time: T0,
      current_version: 2,
      custom_metadata: null,
      delete_version_after: '0s',
      max_versions: 0,
      oldest_version: 0,
      updated_time: T1,
      versions: {
        1: { created_time: T0, deletion_time: '', destroyed: false },
        2: { created_time: T1, deletion_time: T2, destroyed: false },
      },
    },
  });
  assert.deepEqual(await h.call('read', 'metadata/missing'), { httpStatus: 404 });
});

test('metadata write: settings and custom_metadata, shown on metadata and data responses', async () => {
  const h = await harness();
  assert.equal(await h.call('update', 'metadata/cfg', {
    max_versions: '5',
    cas_required: 'true',
    delete_version_after: '1h30m',
    custom_metadata: { owner: 'team-a', count: 3, active: true },
  }), undefined);
  const custom = { active: '1', count: '3', owner: 'team-a' };
  assert.deepEqual(await h.call('read', 'metadata/cfg'), {
    data: {
      cas_required: true,
      created_time: T0,
      current_version: 0,
      custom_metadata: custom,
      delete_version_after: '1h30m0s',
      max_versions: 5,
      oldest_version: 0,
      updated_time: T0,
      versions: {},
    },
  });
  h.clock.advance(1000);
  // delete_version_after schedules the new version's deletion.
  assert.deepEqual(await h.write('cfg', { v: 1 }, { cas: 0 }), {
    data: { created_time: T1, custom_metadata: custom, deletion_time: '2024-11-15T01:16:28.382Z', destroyed: false, version: 1 },
  });
  // Until then the version is readable.
  assert.deepEqual((await h.call('read', 'data/cfg'))?.data?.data, { v: 1 });
  h.clock.advance(5400 * 1000);
  assert.equal((await h.call('read', 'data/cfg'))?.httpStatus, 404);

  // An empty custom_metadata clears it (Vault answers null again); other settings stay.
  await h.call('update', 'metadata/cfg', { custom_metadata: {} });
  const meta = (await h.call('read', 'metadata/cfg'))?.data;
  assert.equal(meta?.custom_metadata, null);
  assert.equal(meta?.max_versions, 5);
});

test('metadata write with no setting changes nothing', async () => {
  const h = await harness();
  assert.equal(await h.call('update', 'metadata/none', {}), undefined);
  assert.deepEqual(h.storage.keys(), []);
});

test('metadata write rejects bad input without changing anything', async () => {
  const h = await harness();
  await h.call('update', 'metadata/k', { max_versions: 2 });
  const before = await h.snapshot();
  const cases: [Record<string, unknown>, string][] = [
    [{ max_versions: -1 }, '"max_versions" cannot be negative'],
    [{ max_versions: 'ten' }, 'error converting input for field "max_versions": expected an integer'],
    [{ cas_required: 'yes' }, 'error converting input for field "cas_required": expected a boolean'],
    [{ delete_version_after: '-1h' }, '"delete_version_after" cannot be negative'],
    [{ delete_version_after: 'soon' }, 'error converting input for field "delete_version_after": expected a duration'],
    [{ custom_metadata: 'x' }, 'error converting input for field "custom_metadata": expected a JSON object'],
    [{ custom_metadata: { a: { nested: 1 } } }, 'custom_metadata validation failed: value for key "a" must be a string'],
    [{ custom_metadata: { a: '' } },
      '1 error occurred:\n\t* custom_metadata validation failed: length of value for key "a" is 0 but must be 0 < len(value) <= 512\n\n'],
    [{ custom_metadata: { ['k'.repeat(129)]: 'v', b: 'bad\u0007' } },
      '2 errors occurred:\n' +
      '\t* custom_metadata validation failed: value for key "b" contains unprintable characters\n' +
      `\t* custom_metadata validation failed: length of key "${'k'.repeat(129)}" is 129 but must be 0 < len(key) <= 128\n\n`],
    [{ custom_metadata: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v'])) },
      '1 error occurred:\n\t* custom_metadata validation failed: payload must contain at most 64 keys, provided 65\n\n'],
  ];
  for (const [body, message] of cases) await rejects(h.call('update', 'metadata/k', body), 'invalid', message);
  assert.deepEqual(await h.snapshot(), before);
});

test('cas_required=false on a key of a cas_required mount is kept but warned about', async () => {
  const h = await harness();
  await h.call('update', 'config', { cas_required: true });
  assert.deepEqual(await h.call('update', 'metadata/w', { cas_required: false }), {
    warnings: ['"cas_required" set to false, but is mandated by backend config. This value will be ignored.'],
  });
  await rejects(h.write('w', { v: 1 }), 'invalid', 'check-and-set parameter required for this call');
});

test('list: immediate children, folders with a trailing slash, 404 when empty', async () => {
  const h = await harness();
  await rejects(h.call('list', 'metadata/'), 'not_found', 'not found');
  for (const path of ['app/db', 'app/api/key', 'app/api/cert', 'top', 'app', 'zeta/deep/er/x']) await h.write(path, { v: 1 });
  assert.deepEqual(await h.call('list', 'metadata/'), { data: { keys: ['app', 'app/', 'top', 'zeta/'] } });
  assert.deepEqual(await h.call('list', 'metadata'), { data: { keys: ['app', 'app/', 'top', 'zeta/'] } });
  assert.deepEqual(await h.call('list', 'metadata/app/'), { data: { keys: ['api/', 'db'] } });
  assert.deepEqual(await h.call('list', 'metadata/app/api'), { data: { keys: ['cert', 'key'] } });
  assert.deepEqual(await h.call('list', 'metadata/zeta/deep/'), { data: { keys: ['er/'] } });
  await rejects(h.call('list', 'metadata/nothing/'), 'not_found', 'not found');
  await rejects(h.call('list', 'metadata/app/../'), 'invalid', 'invalid path: empty, "." and ".." segments are not allowed');
});

test('metadata delete removes every version and the metadata', async () => {
  const h = await harness();
  await h.write('gone', { v: 1 });
  await h.write('gone', { v: 2 });
  await h.write('kept', { v: 1 });
  assert.equal(await h.call('delete', 'metadata/gone'), undefined);
  assert.deepEqual(h.storage.keys(), ['metadata/kept', 'versions/kept/1']);
  assert.deepEqual(await h.call('read', 'data/gone'), { httpStatus: 404 });
  assert.deepEqual(await h.call('read', 'metadata/gone'), { httpStatus: 404 });
  assert.equal(await h.call('delete', 'metadata/gone'), undefined);
  assert.deepEqual(await h.call('list', 'metadata/'), { data: { keys: ['kept'] } });
  // A new write starts again at version 1.
  assert.equal((await h.write('gone', { v: 3 }))?.data?.version, 1);
});
