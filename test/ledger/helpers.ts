/** Shared fixtures of the ledger tests: the RFC 6962 test leaves, a seeded PRNG and an in-memory log. */
import assert from 'node:assert/strict';
import { SealtrailError } from '../../src/errors/index.js';
import { leafHash, rootOf } from '../../src/ledger/hash.js';
import type { NodeReader } from '../../src/ledger/proof.js';
import { bundlesForAppend, decodeBundle } from '../../src/ledger/bundles.js';
import { bundlePath, tilePath } from '../../src/ledger/paths.js';
import { bundlesOfTree, partialTiles, TILE_WIDTH } from '../../src/ledger/tiles.js';
import { TreeBuilder } from '../../src/ledger/tree-builder.js';

/** The eight leaves of the RFC 6962 / transparency-dev test vectors. */
export const RFC_LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f']
  .map((h) => Buffer.from(h, 'hex'));

/** Roots of the first 1..8 of those leaves (transparency-dev/merkle proof/verify_test.go). */
export const RFC_ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
].map((h) => Buffer.from(h, 'hex'));

export const hex = (h: string) => Buffer.from(h, 'hex');

/** A small deterministic PRNG (mulberry32), so a failing property test replays exactly. */
export function prng(seed: number): (below: number) => number {
  let a = seed >>> 0;
  return (below) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * below);
  };
}

/** A reader of complete-subtree hashes computed directly from the leaf hashes (the slow, obvious way). */
export function directReader(leafHashes: readonly Buffer[]): NodeReader {
  return (height, index) => rootOf(leafHashes.slice(index * 2 ** height, (index + 1) * 2 ** height));
}

/** Distinct entries of varied length (0..40 bytes), entry i deterministic. */
export function entries(count: number, from = 0): Buffer[] {
  return Array.from({ length: count }, (_, k) => Buffer.from(`entry ${from + k} `.repeat((from + k) % 4)));
}

/**
 * An in-memory tiled log: appends in batches through TreeBuilder and bundlesForAppend exactly as
 * a writer would, keeping every file it writes by path.
 */
export class MemoryLog {
  readonly files = new Map<string, Buffer>();
  #builder = TreeBuilder.empty();

  get size(): number {
    return this.#builder.size;
  }

  append(batch: readonly Buffer[]): Buffer {
    const size = this.size;
    const last = [...bundlesOfTree(size)].at(-1);
    const partialEntries = last && last.width < TILE_WIDTH ? decodeBundle(this.files.get(bundlePath(last))!, last.width) : [];
    for (const { bundle, data } of bundlesForAppend(size, partialEntries, batch)) this.files.set(bundlePath(bundle), data);
    for (const { tile, data } of this.#builder.append(batch.map(leafHash))) this.files.set(tilePath(tile), data);
    for (const { tile, data } of this.#builder.partialTiles()) this.files.set(tilePath(tile), data);
    return this.#builder.root();
  }

  /** The builder a restarted writer would rebuild from the stored partial tiles. */
  reopened(): TreeBuilder {
    return TreeBuilder.fromPartialTiles(this.size, (tile) => this.files.get(tilePath(tile))!);
  }

  fetch = async (path: string): Promise<Buffer> => {
    const data = this.files.get(path);
    if (!data) throw new Error(`no file ${path}`);
    return data;
  };

  partialTilePaths(): string[] {
    return partialTiles(this.size).map(tilePath);
  }
}

/** Asserts `fn` throws a SealtrailError with `code` (and, if given, a message matching `message`). */
export function assertCode(fn: () => unknown, code: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SealtrailError, `a SealtrailError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    if (message) assert.match(err.message, message);
    return true;
  });
}
