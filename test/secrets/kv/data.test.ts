import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, harness, rejects, request } from './helpers.js';

const T1 = '2024-11-14T23:46:28.382000001Z';

test('write answers the new version metadata', async () => {
  const h = await harness();
  assert.deepEqual(await h.write('app/db', { password: 's3cr3t' }), {
    data: { created_time: T0, custom_metadata: null, deletion_time: '', destroyed: false, version: 1 },
  });
  h.clock.advance(1000.000001);
  assert.deepEqual(await h.write('app/db', { password: 'n3w' }), {
    data: { created_time: T1, custom_metadata: null, deletion_time: '', destroyed: false, version: 2 },
  });
});

test('read returns the latest version, or the one asked for (number or query string)', async () => {
  const h = await harness();
  await h.write('app/db', { password: 'one', user: 'u' });
  h.clock.advance(1000.000001);
  await h.write('app/db', { password: 'two' });

  assert.deepEqual(await h.call('read', 'data/app/db'), {
    data: {
      data: { password: 'two' },
      metadata: { created_time: T1, custom_metadata: null, deletion_time: '', destroyed: false, version: 2 },
    },
  });
  const v1 = {
    data: {
      data: { password: 'one', user: 'u' },
      metadata: { created_time: T0, custom_metadata: null, deletion_time: '', destroyed: false, version: 1 },
    },
  };
  assert.deepEqual(await h.call('read', 'data/app/db', { version: '1' }), v1);
  assert.deepEqual(await h.call('read', 'data/app/db', { version: 1 }), v1);
  // Version 0 means the current one, as in Vault.
  for (const version of [0, '0', -1]) {
    const read = await h.call('read', 'data/app/db', { version });
    assert.equal((read?.data?.metadata as { version: number }).version, 2);
  }
});

test('missing secrets and versions are 404', async () => {
  const h = await harness();
  assert.deepEqual(await h.call('read', 'data/nope'), { httpStatus: 404 });
  await h.write('a', { k: 'v' });
  assert.deepEqual(await h.call('read', 'data/a', { version: 7 }), { httpStatus: 404 });
});

test('secret data is stored and returned with sorted keys, as Go encodes maps', async () => {
  const h = await harness();
  await h.write('s', { zeta: 1, alpha: { y: true, b: [{ d: 1, c: 2 }] } });
  const read = await h.call('read', 'data/s');
  const data = read?.data?.data;
  assert.equal(JSON.stringify(data), '{"alpha":{"b":[{"c":2,"d":1}],"y":true},"zeta":1}');
});

test('a "__proto__" key is kept as data', async () => {
  const h = await harness();
  const data = JSON.parse('{"__proto__": {"polluted": true}, "k": "v"}') as Record<string, unknown>;
  await h.write('proto', data);
  const read = (await h.call('read', 'data/proto'))?.data?.data as Record<string, unknown>;
  assert.equal(JSON.stringify(read), '{"__proto__":{"polluted":true},"k":"v"}');
  assert.equal(Object.getPrototypeOf(read), Object.prototype);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('check-and-set: 0 creates only, N must match the current version', async () => {
  const h = await harness();
  assert.equal((await h.write('c', { v: 1 }, { cas: 0 }))?.data?.version, 1);
  await rejects(h.write('c', { v: 2 }, { cas: 0 }), 'invalid', 'check-and-set parameter did not match the current version');
  await rejects(h.write('c', { v: 2 }, { cas: 2 }), 'invalid', 'check-and-set parameter did not match the current version');
  assert.equal((await h.write('c', { v: 2 }, { cas: '1' }))?.data?.version, 2);
  await rejects(h.write('c', { v: 3 }, { cas: 'x' }), 'invalid', 'error parsing check-and-set parameter');
});

test('cas_required on the mount or the key refuses writes without cas', async () => {
  const mountWide = await harness();
  await mountWide.call('update', 'config', { cas_required: true });
  await rejects(mountWide.write('k', { v: 1 }), 'invalid', 'check-and-set parameter required for this call');
  assert.equal((await mountWide.write('k', { v: 1 }, { cas: 0 }))?.data?.version, 1);

  const perKey = await harness();
  await perKey.write('free', { v: 1 });
  await perKey.call('update', 'metadata/guarded', { cas_required: true });
  await rejects(perKey.write('guarded', { v: 1 }), 'invalid', 'check-and-set parameter required for this call');
  assert.equal((await perKey.write('guarded', { v: 1 }, { cas: 0 }))?.data?.version, 1);
  assert.equal((await perKey.write('free', { v: 2 }))?.data?.version, 2);
});

test('a failed write changes nothing', async () => {
  const h = await harness();
  await h.write('x', { v: 1 });
  const before = await h.snapshot();
  const failures: [Record<string, unknown>, string][] = [
    [{ data: 'not an object' }, 'no data provided'],
    [{ data: ['a'] }, 'no data provided'],
    [{ data: null }, 'no data provided'],
    [{}, 'no data provided'],
    [{ data: { v: 2 }, options: { cas: 5 } }, 'check-and-set parameter did not match the current version'],
    [{ data: { v: 2 }, options: 'cas' }, 'error converting input for field "options": expected a JSON object'],
  ];
  for (const [body, message] of failures) {
    await rejects(h.call('update', 'data/x', body), 'invalid', message);
  }
  assert.deepEqual(await h.snapshot(), before);
});

test('bad version parameters and paths are 400', async () => {
  const h = await harness();
  await h.write('x', { v: 1 });
  for (const version of ['abc', 1.5, '1.0', { n: 1 }, true]) {
    await rejects(h.call('read', 'data/x', { version }), 'invalid', 'error converting input for field "version": expected an integer');
  }
  const badPath = 'invalid path: empty, "." and ".." segments are not allowed';
  for (const path of ['data/a/../b', 'data/..', 'data/a//b', 'data/a/', 'data//a', 'data/./a']) {
    await rejects(h.call('update', path, { data: { v: 1 } }), 'invalid', badPath);
    await rejects(h.call('read', path), 'invalid', badPath);
  }
  await rejects(h.call('update', 'data/', { data: { v: 1 } }), 'invalid', 'missing path');
});

test('data/<path> DELETE soft-deletes the latest version; the read is 404 with its metadata', async () => {
  const h = await harness();
  await h.write('d', { v: 1 });
  h.clock.advance(1000.000001);
  await h.write('d', { v: 2 });
  h.clock.advance(1000);
  assert.equal(await h.call('delete', 'data/d'), undefined);
  assert.deepEqual(await h.call('read', 'data/d'), {
    httpStatus: 404,
    data: {
      data: null,
      metadata: {
        created_time: T1,
        custom_metadata: null,
        deletion_time: '2024-11-14T23:46:29.382000001Z',
        destroyed: false,
        version: 2,
      },
    },
  });
  // Older versions stay readable; deleting again, or a missing secret, is a no-op 204.
  assert.deepEqual((await h.call('read', 'data/d', { version: 1 }))?.data?.data, { v: 1 });
  const before = await h.snapshot();
  h.clock.advance(5000);
  assert.equal(await h.call('delete', 'data/d'), undefined);
  assert.equal(await h.call('delete', 'data/missing'), undefined);
  assert.deepEqual(await h.snapshot(), before);
});

test('existence check: a secret exists once it has metadata', async () => {
  const h = await harness();
  assert.equal(await h.backend.existenceCheck!(request('create', 'data/e', { data: {} })), false);
  await h.call('update', 'metadata/e', { max_versions: 3 });
  assert.equal(await h.backend.existenceCheck!(request('create', 'data/e', { data: {} })), true);
  assert.equal(await h.backend.existenceCheck!(request('create', 'metadata/e', {})), true);
  assert.equal(await h.backend.existenceCheck!(request('create', 'data/../e', {})), false);
  // Metadata without a version reads as 404.
  assert.deepEqual(await h.call('read', 'data/e'), { httpStatus: 404 });
});

test('storage layout: metadata and each version under their own keys', async () => {
  const h = await harness();
  await h.write('a/b', { v: 1 });
  await h.write('a/b', { v: 2 });
  assert.deepEqual(h.storage.keys(), ['metadata/a/b', 'versions/a/b/1', 'versions/a/b/2']);
  assert.deepEqual(JSON.parse((await h.snapshot())['versions/a/b/2']), { v: 2 });
});
