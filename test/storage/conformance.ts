/**
 * The conformance suite every Storage backend must pass — memory, SQLite and PostgreSQL each run
 * it from their own test file (conformance-<backend>.test.ts). Not a test file itself (no
 * `.test.ts` suffix): backends call `storageContract(...)`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PhysicalStorage } from '../../src/storage/types.js';

export interface ContractOptions {
  /** The backend rolls back a transaction whose op fails midway (every backend does; kept for wrappers). */
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

    test('list treats prefixes as plain text: % and _ are not wildcards', withStorage(async (s) => {
      for (const k of ['w/a%b', 'w/a_b', 'w/axb', 'w/a%/1', 'w/aXb/2', 'wx/1', 'w_/2', 'w%/3']) await s.put(k, bytes(k));
      assert.deepEqual(await s.list('w/'), ['a%/', 'a%b', 'aXb/', 'a_b', 'axb']);
      assert.deepEqual(await s.list('w/a%/'), ['1']);
      assert.deepEqual(await s.list('w_/'), ['2']);
      assert.deepEqual(await s.list('w%/'), ['3']);
      assert.deepEqual(await s.list('w/a_/'), []);
    }));

    test('list edge cases: empty segments, keys ending in /, a prefix that is not a folder', withStorage(async (s) => {
      for (const k of ['e/dbl//x', 'e/end/', 'e/end/y', 'e/ab/c', 'e/a/x', 'e/abc', 'e/a']) await s.put(k, bytes(k));
      assert.deepEqual(await s.list('e/'), ['a', 'a/', 'ab/', 'abc', 'dbl/', 'end/']);
      assert.deepEqual(await s.list('e/dbl/'), ['/']);
      assert.deepEqual(await s.list('e/dbl//'), ['x']);
      assert.deepEqual(await s.list('e/end/'), ['', 'y']);
      // Not ending in "/": the children of the keys that start with it, as Vault folds them.
      assert.deepEqual(await s.list('e/a'), ['', '/', 'b/', 'bc']);
    }));

    test('list of unicode folders and prefixes', withStorage(async (s) => {
      for (const k of ['n/é/1', 'n/é/2/x', 'n/éa', 'n/e/1', 'n/\u{10ffff}/z', 'n/日本/語', 'n/😀/😀']) await s.put(k, bytes(k));
      assert.deepEqual(await s.list('n/'), ['e/', 'é/', 'éa', '日本/', '\u{10ffff}/', '😀/'].sort());
      assert.deepEqual(await s.list('n/é/'), ['1', '2/']);
      assert.deepEqual(await s.list('n/\u{10ffff}/'), ['z']);
      assert.deepEqual(await s.list('n/😀/'), ['😀']);
      assert.equal(text(await s.get('n/日本/語')), 'n/日本/語');
    }));

    test('large values round-trip byte for byte (8 MiB)', withStorage(async (s) => {
      const big = new Uint8Array(8 * 1024 * 1024);
      for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
      big[big.length - 1] = 0xab;
      await s.put('large/one', big);
      const back = (await s.get('large/one'))!;
      assert.equal(back.length, big.length);
      assert.equal(Buffer.compare(Buffer.from(back), Buffer.from(big)), 0);
    }));

    test('concurrent writes: every one lands, and concurrent transactions stay whole', withStorage(async (s) => {
      await Promise.all(Array.from({ length: 100 }, (_, i) => s.put(`cw/k${String(i).padStart(3, '0')}`, bytes(String(i)))));
      const keys = await s.list('cw/');
      assert.equal(keys.length, 100);
      assert.equal(text(await s.get('cw/k042')), '42');
      // Each transaction writes the same value to both keys: whatever the interleaving, they agree.
      await Promise.all(Array.from({ length: 40 }, (_, i) => s.transaction([
        { op: 'put', key: 'pair/a', value: bytes(String(i)) },
        { op: 'put', key: 'pair/b', value: bytes(String(i)) },
      ])));
      const a = text(await s.get('pair/a'));
      assert.equal(text(await s.get('pair/b')), a);
      assert.ok(Number(a) >= 0 && Number(a) < 40);
    }));

    test('keys are exact: no prefix or case folding on get and delete', withStorage(async (s) => {
      await s.put('x/Key', bytes('upper'));
      await s.put('x/key', bytes('lower'));
      await s.put('x/key ', bytes('space'));
      assert.equal(text(await s.get('x/Key')), 'upper');
      assert.equal(text(await s.get('x/key')), 'lower');
      assert.equal(await s.get('x/ke'), undefined);
      await s.delete('x/ke');
      await s.delete('x/key');
      assert.deepEqual(await s.list('x/'), ['Key', 'key ']);
    }));

    test('a bad key or value is refused before anything is written', withStorage(async (s) => {
      await assert.rejects(s.put('', bytes('v')), { name: 'SealtrailError', code: 'invalid_storage_key' });
      await assert.rejects(s.put('k', 'text' as unknown as Uint8Array), { name: 'SealtrailError', code: 'invalid_storage_value' });
      await assert.rejects(
        s.transaction([{ op: 'put', key: 'ok', value: bytes('v') }, { op: 'put', key: '', value: bytes('v') }]),
        { name: 'SealtrailError', code: 'invalid_storage_key' },
      );
      assert.equal(await s.get('ok'), undefined);
    }));

    test('transaction applies puts and deletes in order', withStorage(async (s) => {
      await s.put('t/old', bytes('old'));
      await s.transaction([
        { op: 'put', key: 't/a', value: bytes('1') },
        { op: 'put', key: 't/a', value: bytes('2') },
        { op: 'delete', key: 't/old' },
        { op: 'put', key: 't/b', value: bytes('3') },
        { op: 'delete', key: 't/b' },
        { op: 'delete', key: 't/c' },
        { op: 'put', key: 't/c', value: bytes('back') },
      ]);
      assert.equal(text(await s.get('t/c')), 'back');
      assert.equal(text(await s.get('t/a')), '2');
      assert.equal(await s.get('t/old'), undefined);
      assert.equal(await s.get('t/b'), undefined);
      assert.deepEqual(await s.list('t/'), ['a', 'c']);
    }));

    test('putIfAbsent stores only into an absent key, and answers (a copy of) what the key holds', withStorage(async (s) => {
      assert.equal(text(await s.putIfAbsent('pia/k', bytes('first'))), 'first');
      const kept = await s.putIfAbsent('pia/k', bytes('second'));
      assert.equal(text(kept), 'first');
      kept.fill(0x7a);
      assert.equal(text(await s.get('pia/k')), 'first');
      assert.deepEqual(await s.list('pia/'), ['k']);
      await s.put('pia/k', bytes('put'));
      assert.equal(text(await s.putIfAbsent('pia/k', bytes('third'))), 'put');
      await s.delete('pia/k');
      assert.equal(text(await s.putIfAbsent('pia/k', bytes('again'))), 'again');
      await assert.rejects(s.putIfAbsent('', bytes('v')), { name: 'SealtrailError', code: 'invalid_storage_key' });
      await assert.rejects(s.putIfAbsent('pia/bad', 'text' as unknown as Uint8Array), { name: 'SealtrailError', code: 'invalid_storage_value' });
      assert.equal(await s.get('pia/bad'), undefined);
    }));

    test('concurrent putIfAbsent calls on one key: one stores, all answer its value', withStorage(async (s) => {
      const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => s.putIfAbsent('race', bytes(`v${i}`))));
      const stored = text(await s.get('race'));
      assert.match(stored ?? '', /^v\d+$/);
      assert.deepEqual(answers.map(text), answers.map(() => stored));
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
