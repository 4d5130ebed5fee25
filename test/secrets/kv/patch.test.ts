import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepFreeze } from '../../../src/lib/immutable.js';
import { mergePatch } from '../../../src/secrets/kv/merge-patch.js';
import { T0, harness, rejects } from './helpers.js';

test('mergePatch gives RFC 7396 Appendix A results and never changes its arguments', () => {
  // [target, patch, result], the RFC's examples.
  const vectors: [unknown, unknown, unknown][] = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, result] of vectors) {
    const frozenTarget = deepFreeze(structuredClone(target));
    assert.deepEqual(mergePatch(frozenTarget, deepFreeze(structuredClone(patch))), result, JSON.stringify([target, patch]));
    assert.deepEqual(frozenTarget, target);
  }
});

test('patch merges into the current version and writes the result as a new version', async () => {
  const h = await harness();
  await h.write('app', { user: 'u', password: 'one', nested: { a: 1, b: 2 } });
  h.clock.advance(1000);
  const patched = await h.call('patch', 'data/app', { data: { password: 'two', nested: { b: null, c: 3 }, added: ['x'] } });
  assert.deepEqual(patched, { data: { created_time: '2024-11-14T23:46:28.382Z', custom_metadata: null, deletion_time: '', destroyed: false, version: 2 } });
  assert.deepEqual((await h.call('read', 'data/app'))?.data?.data, { added: ['x'], nested: { a: 1, c: 3 }, password: 'two', user: 'u' });
  // The version patched from is unchanged.
  assert.deepEqual((await h.call('read', 'data/app', { version: 1 }))?.data?.data, { nested: { a: 1, b: 2 }, password: 'one', user: 'u' });
  // Stored with sorted keys, like any write.
  assert.deepEqual(Object.keys((await h.call('read', 'data/app'))?.data?.data as object), ['added', 'nested', 'password', 'user']);
});

test('patch needs an existing, readable secret and honours check-and-set', async () => {
  const h = await harness();
  await rejects(h.call('patch', 'data/none', { data: { a: 'b' } }), 'not_found', 'not found');
  await h.write('app', { a: 'b' });
  await rejects(h.call('patch', 'data/app', {}), 'invalid', 'no data provided');
  await rejects(h.call('patch', 'data/app', { data: 'x' }), 'invalid', 'no data provided');
  await rejects(h.call('patch', 'data/app', { data: { a: 'c' }, options: { cas: 0 } }), 'invalid', 'check-and-set parameter did not match the current version');
  assert.equal((await h.call('patch', 'data/app', { data: { a: 'c' }, options: { cas: 1 } }))?.data?.version, 2);
  await h.call('update', 'metadata/app', { cas_required: true });
  await rejects(h.call('patch', 'data/app', { data: { a: 'd' } }), 'invalid', 'check-and-set parameter required for this call');

  // A deleted current version answers 404 with its metadata, as a read does, and writes nothing.
  const g = await harness();
  await g.write('gone', { a: 'b' });
  await g.call('delete', 'data/gone');
  const before = await g.snapshot();
  const answer = await g.call('patch', 'data/gone', { data: { a: 'c' } });
  assert.equal(answer?.httpStatus, 404);
  assert.deepEqual(answer?.data?.data, null);
  assert.equal((answer?.data?.metadata as { deletion_time: string }).deletion_time, T0);
  assert.deepEqual(await g.snapshot(), before);
});
