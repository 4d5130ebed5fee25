/**
 * The contract every Storage backend must meet, run against each backend by its own test file.
 * Not a test file itself (no `.test.ts` suffix): backends call `storageContract(...)`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PhysicalStorage } from '../../src/storage/types.js';

export interface ContractOptions {
  /** The backend rolls back a transaction whose op fails midway (memory storage cannot fail). */
  atomicTransactions: boolean;
}

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

export function storageContract(
  name: string,
  factory: () => Promise<PhysicalStorage> | PhysicalStorage,
  options: ContractOptions,
): void {
  describe(`storage contract: ${name}`, () => {
    const withStorage = (fn: (s: PhysicalStorage) => Promise<void>) => async () => {
      const s = await factory();
      try {
        await fn(s);
      } finally {
        await s.close();
      }
    };

    test('get of a missing key is undefined', withStorage(async (s) => {
      assert.equal(await s.get('nope'), undefined);
      assert.equal(await s.get('a/b/c'), undefined);
    }));

    test('put, overwrite, get and delete', withStorage(async (s) => {
      await s.put('k', bytes('one'));
      assert.equal(text(await s.get('k')), 'one');
      await s.put('k', bytes('two'));
      assert.equal(text(await s.get('k')), 'two');
      await s.delete('k');
      assert.equal(await s.get('k'), undefined);
      await s.delete('k'); // deleting a missing key is not an error
    }));

    test('binary values round-trip exactly, including empty and all byte values', withStorage(async (s) => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      await s.put('bin/all', all);
      await s.put('bin/empty', new Uint8Array(0));
      assert.deepEqual(Uint8Array.from((await s.get('bin/all'))!), all);
      assert.equal((await s.get('bin/empty'))?.length, 0);
    }));

    test('values are copied in and out', withStorage(async (s) => {
      const backing = bytes('xxabcxx');
      const view = backing.subarray(2, 5); // a view into a larger buffer: only its bytes are stored
      await s.put('copy', view);
      view.fill(0x7a);
      assert.equal(text(await s.get('copy')), 'abc');
      const out = (await s.get('copy'))!;
      out.fill(0x79);
      assert.equal(text(await s.get('copy')), 'abc');
    }));

    test('list returns immediate children, folders with a trailing slash, sorted', withStorage(async (s) => {
      for (const k of ['a/x', 'a/y/1', 'a/y/2', 'a/y/z/3', 'a/b', 'ab/c', 'ab', 'b', 'a0', 'a/z/']) {
        await s.put(k, bytes(k));
      }
      const table: Array<[string, string[]]> = [
        ['', ['a/', 'a0', 'ab', 'ab/', 'b']],
        ['a/', ['b', 'x', 'y/', 'z/']],
        ['a/y/', ['1', '2', 'z/']],
        ['a/y/z/', ['3']],
        ['a/z/', ['']],
        ['ab/', ['c']],
        ['b/', []],
        ['missing/', []],
      ];
      for (const [prefix, want] of table) assert.deepEqual(await s.list(prefix), want, `list(${JSON.stringify(prefix)})`);
    }));

    test('list skips over large folders and keeps leaves between them', withStorage(async (s) => {
      const ops = [];
      for (let i = 0; i < 50; i++) ops.push({ op: 'put' as const, key: `p/big/${String(i).padStart(2, '0')}`, value: bytes('v') });
      for (let i = 0; i < 20; i++) ops.push({ op: 'put' as const, key: `p/deep/${i}/x/y`, value: bytes('v') });
      ops.push({ op: 'put' as const, key: 'p/big0', value: bytes('v') });
      ops.push({ op: 'put' as const, key: 'p/c', value: bytes('v') });
      ops.push({ op: 'put' as const, key: 'p/big.txt', value: bytes('v') });
      await s.transaction(ops);
      assert.deepEqual(await s.list('p/'), ['big.txt', 'big/', 'big0', 'c', 'deep/']);
      assert.equal((await s.list('p/big/')).length, 50);
      assert.deepEqual((await s.list('p/deep/')).slice(0, 3), ['0/', '1/', '10/']);
    }));

    test('list handles non-ASCII keys in the same order as JavaScript', withStorage(async (s) => {
      for (const k of ['u/é', 'u/z', 'u/😀', 'u/\uffff', 'u/日本/x']) await s.put(k, bytes('v'));
      assert.deepEqual(await s.list('u/'), ['z', 'é', '日本/', '😀', '\uffff']);
    }));

    test('list reflects deletes', withStorage(async (s) => {
      await s.put('d/1/x', bytes('v'));
      await s.put('d/2', bytes('v'));
      await s.delete('d/1/x');
      assert.deepEqual(await s.list('d/'), ['2']);
    }));

    test('transaction applies puts and deletes in order', withStorage(async (s) => {
      await s.put('t/old', bytes('old'));
      await s.transaction([
        { op: 'put', key: 't/a', value: bytes('1') },
        { op: 'put', key: 't/a', value: bytes('2') },
        { op: 'delete', key: 't/old' },
        { op: 'put', key: 't/b', value: bytes('3') },
        { op: 'delete', key: 't/b' },
      ]);
      assert.equal(text(await s.get('t/a')), '2');
      assert.equal(await s.get('t/old'), undefined);
      assert.equal(await s.get('t/b'), undefined);
      assert.deepEqual(await s.list('t/'), ['a']);
    }));

    test('an empty transaction is a no-op', withStorage(async (s) => {
      await s.transaction([]);
      assert.deepEqual(await s.list(''), []);
    }));

    if (options.atomicTransactions) {
      test('a failing op in the middle of a transaction leaves nothing applied', withStorage(async (s) => {
        await s.put('at/keep', bytes('before'));
        await assert.rejects(
          s.transaction([
            { op: 'put', key: 'at/keep', value: bytes('after') },
            { op: 'put', key: 'at/new', value: bytes('new') },
            { op: 'put', key: 'at/bad', value: 'not bytes' as unknown as Uint8Array },
            { op: 'put', key: 'at/late', value: bytes('late') },
          ]),
          { name: 'SealtrailError', code: 'invalid_storage_value' },
        );
        assert.equal(text(await s.get('at/keep')), 'before');
        assert.equal(await s.get('at/new'), undefined);
        assert.equal(await s.get('at/late'), undefined);
        assert.deepEqual(await s.list('at/'), ['keep']);
        // The storage is still usable after the rollback.
        await s.transaction([{ op: 'put', key: 'at/next', value: bytes('ok') }]);
        assert.deepEqual(await s.list('at/'), ['keep', 'next']);
      }));
    }
  });
}
