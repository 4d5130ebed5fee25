/**
 * The reference verifier of a published log: it reads every entry bundle, recomputes every tile
 * and the root from the entries alone, and compares each with what the log serves. The first
 * disagreement is reported with the leaf index where it starts, the resource and why; the entries
 * are the evidence, so a tile that differs from them is what is named.
 */
import { invalid } from '../errors/index.js';
import { HASH_SIZE, leafHashOfRange } from './hash.js';
import { bundleRanges, type BundleRanges } from './bundles.js';
import type { NoteVerifier } from './note.js';
import { bundlePath, CHECKPOINT_PATH, tilePath, type LogFetcher } from './paths.js';
import { openCheckpoint } from './signed-checkpoint.js';
import { bundlesOfTree, TILE_WIDTH, type BundleCoord, type TileCoord } from './tiles.js';
import { TreeBuilder, type TileData } from './tree-builder.js';

export interface VerifyLogOptions {
  /** The tree size to verify (a verified checkpoint's). */
  readonly size: number;
  /** The root the tree must have (a verified checkpoint's); without it only tiles and entries are compared. */
  readonly root?: Uint8Array;
  readonly fetch: LogFetcher;
  /** Called after each bundle with the entries verified so far. */
  readonly onProgress?: (verified: number) => void;
  /**
   * Computes a bundle's leaf hashes (each entry `data[starts[k]:ends[k]]`, 32 bytes each, end to
   * end); by default on this thread. Given another thread's hasher, bundles ahead of the one being
   * compared are hashed there meanwhile.
   */
  readonly hashLeaves?: LeafHasher;
}

export type LeafHasher = (data: Buffer, starts: readonly number[], ends: readonly number[]) => Promise<Buffer>;

/** Bundles read (and hashed) ahead of the one being compared. */
const READ_AHEAD = 3;

/** Leaf hashing on the calling thread (the default). */
export const hashLeavesHere: LeafHasher = async (data, starts, ends) => {
  const hashes = Buffer.allocUnsafe(starts.length * HASH_SIZE);
  for (let k = 0; k < starts.length; k++) leafHashOfRange(data, starts[k], ends[k]).copy(hashes, k * HASH_SIZE);
  return hashes;
};

export type LogVerdict =
  | { readonly ok: true; readonly size: number; readonly root: Buffer }
  | {
    readonly ok: false;
    /** The first leaf index the defect touches; absent when only the root disagrees. */
    readonly index?: number;
    /** The resource found wrong ('checkpoint' for a root mismatch). */
    readonly path: string;
    readonly reason: string;
  };

type Fetched = { data: Buffer } | { error: string };

/** A fetch that never rejects, so one started ahead of need cannot surface as an unhandled rejection. */
function settle(fetch: LogFetcher, path: string): Promise<Fetched> {
  return fetch(path).then(
    (data) => ({ data: Buffer.from(data.buffer, data.byteOffset, data.byteLength) }),
    (err: unknown) => ({ error: err instanceof Error ? err.message : String(err) }),
  );
}

type Failure = Extract<LogVerdict, { ok: false }>;

/** An entry bundle read ahead: its level-0 tile, its entries and their hashes, or why it could not be. */
type ReadBundle = { level0: Fetched; ranges: BundleRanges; hashes: Buffer } | { error: string };

/**
 * Compares recomputed hashes with a served tile; the failure names the first leaf under the first
 * bad hash. With `whole` false, `expected` is only a prefix of the tile (the rest was not computable).
 */
function compareTile(tile: TileCoord, expected: Buffer, served: Fetched, whole = true): Failure | undefined {
  const path = tilePath(tile);
  const leavesPerHash = TILE_WIDTH ** tile.level;
  const firstHash = tile.index * TILE_WIDTH;
  if ('error' in served) return { ok: false, index: firstHash * leavesPerHash, path, reason: `unreadable: ${served.error}` };
  const got = served.data;
  if (whole && got.equals(expected)) return undefined;
  for (let j = 0; j * HASH_SIZE < expected.length; j++) {
    const at = j * HASH_SIZE;
    if (got.length < at + HASH_SIZE || got.compare(expected, at, at + HASH_SIZE, at, at + HASH_SIZE) !== 0) {
      const reason = got.length < at + HASH_SIZE ? `the tile is ${got.length} bytes, not ${expected.length}` : `hash ${j} of the tile differs from the entries`;
      return { ok: false, index: (firstHash + j) * leavesPerHash, path, reason };
    }
  }
  if (whole && got.length !== expected.length) {
    return { ok: false, index: (firstHash + tile.width) * leavesPerHash, path, reason: `the tile is ${got.length} bytes, not ${expected.length}` };
  }
  return undefined;
}

async function compareUpper(tiles: readonly TileData[], fetch: LogFetcher): Promise<Failure | undefined> {
  for (const { tile, data } of tiles) {
    if (tile.level === 0) continue;
    const failure = compareTile(tile, data, await settle(fetch, tilePath(tile)));
    if (failure) return failure;
  }
  return undefined;
}

export async function verifyLog(options: VerifyLogOptions): Promise<LogVerdict> {
  const { size, fetch } = options;
  if (!Number.isSafeInteger(size) || size < 0) throw invalid('a tree size must be a non-negative integer', 'ledger_invalid_range');
  const builder = TreeBuilder.empty();
  const hashLeaves = options.hashLeaves ?? hashLeavesHere;
  // A bundle, its level-0 tile, and its entries' hashes; never rejects (see settle).
  const readBundle = async (b: BundleCoord): Promise<ReadBundle> => {
    const [entries, level0] = await Promise.all([
      settle(fetch, bundlePath(b)),
      settle(fetch, tilePath({ level: 0, index: b.index, width: b.width })),
    ]);
    if ('error' in entries) return { error: entries.error };
    const ranges = bundleRanges(entries.data, b.width);
    try {
      return { level0, ranges, hashes: await hashLeaves(entries.data, ranges.starts, ranges.ends) };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  };
  // Walked as they are read: a checkpoint claiming 2^53 entries names 2^45 bundles, which must not
  // be listed before the first fetch fails.
  const bundles = bundlesOfTree(size);
  const ahead: Array<{ bundle: BundleCoord; read: ReturnType<typeof readBundle> }> = [];
  const readNext = () => {
    const next = bundles.next();
    if (next.done !== true) ahead.push({ bundle: next.value, read: readBundle(next.value) });
  };
  for (let b = 0; b < READ_AHEAD; b++) readNext();
  while (ahead.length > 0) {
    const { bundle, read: reading } = ahead.shift()!;
    const read = await reading;
    readNext();
    const first = bundle.index * TILE_WIDTH;
    const path = bundlePath(bundle);
    if ('error' in read) return { ok: false, index: first, path, reason: `unreadable: ${read.error}` };
    const { level0, ranges, hashes } = read;
    const tile = { level: 0, index: bundle.index, width: bundle.width };
    // The entries that parsed are compared first: a damaged length prefix shows as its own entry's hash.
    const bad = compareTile(tile, hashes, level0, !ranges.problem);
    if (bad) return bad;
    if (ranges.problem) return { ok: false, index: first + ranges.problem.at, path, reason: `malformed bundle: ${ranges.problem.reason}` };
    const upper = await compareUpper(builder.appendConcatenated(hashes), fetch);
    if (upper) return upper;
    options.onProgress?.(first + bundle.width);
  }
  const upper = await compareUpper(builder.partialTiles(), fetch);
  if (upper) return upper;
  const root = builder.root();
  if (options.root && !root.equals(options.root)) {
    return { ok: false, path: 'checkpoint', reason: 'the root of the entries differs from the checkpoint' };
  }
  return { ok: true, size, root };
}

/**
 * Verifies a published log end to end: its checkpoint must carry a valid signature by `logKey`,
 * then every entry and tile up to that checkpoint's size must reproduce its root. A checkpoint that
 * does not open is thrown (ledger_invalid_note, ledger_unverified_note, ledger_invalid_checkpoint).
 */
export async function verifyPublishedLog(
  fetch: LogFetcher, logKey: NoteVerifier, onProgress?: (verified: number) => void,
): Promise<LogVerdict> {
  const { checkpoint } = openCheckpoint(await fetch(CHECKPOINT_PATH), logKey);
  return verifyLog({ size: checkpoint.size, root: checkpoint.root, fetch, onProgress });
}
