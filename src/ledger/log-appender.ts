/**
 * The writer's side of the log in one place: entries in, the files to store out (entry bundles and
 * tiles, full and partial) with the new size and root. The caller stores every file, then signs and
 * stores the checkpoint, so a checkpoint never names data not yet written. The appender is ahead of
 * storage once `append` returns: a caller whose writes fail reopens it from what was stored.
 */
import { invalid } from '../errors/index.js';
import { bundlesForAppend, decodeBundle } from './bundles.js';
import { bundlePath, tilePath, type LogFetcher } from './paths.js';
import { partialTiles, TILE_WIDTH, tileKey } from './tiles.js';
import { HASH_SIZE, leafHash } from './hash.js';
import { TreeBuilder } from './tree-builder.js';

export interface LogFile { readonly path: string; readonly data: Buffer }
export interface AppendResult { readonly size: number; readonly root: Buffer; readonly files: readonly LogFile[] }

/**
 * The partial bundle's entries must be the leaves its level-0 tile holds: the next full bundle is
 * written from them, and one changed on disk would otherwise be carried into it.
 */
function checkPending(pending: readonly Buffer[], level0: Uint8Array, first: number): void {
  const hashes = Buffer.from(level0.buffer, level0.byteOffset, level0.byteLength);
  pending.forEach((entry, k) => {
    if (!leafHash(entry).equals(hashes.subarray(k * HASH_SIZE, (k + 1) * HASH_SIZE))) {
      throw invalid(`entry ${first + k} of the partial bundle differs from its hash in the level-0 tile`, 'ledger_invalid_bundle');
    }
  });
}

export class LogAppender {
  readonly #builder: TreeBuilder;
  /** The entries of the partial bundle (copies), size mod 256 of them. */
  #pending: Buffer[];

  private constructor(builder: TreeBuilder, pending: Buffer[]) {
    this.#builder = builder;
    this.#pending = pending;
  }

  static empty(): LogAppender {
    return new LogAppender(TreeBuilder.empty(), []);
  }

  /** The appender of a stored log of `size` entries, from its partial tiles and partial bundle. */
  static async open(size: number, fetch: LogFetcher): Promise<LogAppender> {
    const tiles = new Map<string, Uint8Array>();
    for (const tile of partialTiles(size)) tiles.set(tileKey(tile), await fetch(tilePath(tile)));
    const builder = TreeBuilder.fromPartialTiles(size, (tile) => tiles.get(tileKey(tile)) ?? Buffer.alloc(0));
    const width = size % TILE_WIDTH;
    let pending: Buffer[] = [];
    if (width > 0) {
      const last = { index: (size - width) / TILE_WIDTH, width };
      pending = decodeBundle(await fetch(bundlePath(last)), width).map((e) => Buffer.from(e));
      checkPending(pending, tiles.get(tileKey({ level: 0, ...last }))!, size - width);
    }
    return new LogAppender(builder, pending);
  }

  get size(): number {
    return this.#builder.size;
  }

  root(): Buffer {
    return this.#builder.root();
  }

  /** Appends entries (each at most 65,535 bytes: see entry.ts for larger records). */
  append(entries: readonly Uint8Array[]): AppendResult {
    const size = this.size;
    // Bundles first: they reject an oversized entry before the tree has taken any of the batch.
    const bundles = bundlesForAppend(size, this.#pending, entries);
    const files: LogFile[] = bundles.map(({ bundle, data }) => ({ path: bundlePath(bundle), data }));
    for (const { tile, data } of this.#builder.append(entries.map(leafHash))) files.push({ path: tilePath(tile), data });
    for (const { tile, data } of this.#builder.partialTiles()) files.push({ path: tilePath(tile), data });
    // The new partial bundle: the last size mod 256 entries, copied so a caller's later change to
    // its buffers cannot change a bundle still to be rewritten.
    const width = this.size % TILE_WIDTH;
    const tail = entries.slice(Math.max(0, entries.length - width)).map((e) => Buffer.from(e));
    this.#pending = width === 0 ? [] : [...this.#pending, ...tail].slice(-width);
    return { size: this.size, root: this.#builder.root(), files };
  }
}
