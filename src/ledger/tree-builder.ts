/**
 * The tree's right edge, kept as the partial tile of each level: enough to append leaf hashes,
 * produce every tile that fills up and compute the root, without reading any full tile back.
 * A tile that fills is handed out once and never changes; partial tiles are rewritten as they grow.
 */
import { invalid } from '../errors/index.js';
import { HASH_SIZE, emptyRoot, nodeHash, perfectRoot } from './hash.js';
import { hashesAtLevel, partialTiles, TILE_WIDTH, type TileCoord } from './tiles.js';

/** A tile's coordinates and its hashes, 32 bytes each, concatenated. */
export interface TileData { readonly tile: TileCoord; readonly data: Buffer }

const TILE_BYTES = TILE_WIDTH * HASH_SIZE;

const asBuffer = (bytes: Uint8Array): Buffer => (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));

export class TreeBuilder {
  #size: number;
  /** Per level: the partial tile's hashes (a full tile's worth of room) and how many it holds. */
  readonly #edges: { hashes: Buffer; count: number }[] = [];

  private constructor(size: number) {
    this.#size = size;
  }

  static empty(): TreeBuilder {
    return new TreeBuilder(0);
  }

  /**
   * The builder of a tree of `size` leaves, from that tree's partial tiles (`partialTiles(size)`);
   * `readTile` answers each with its hashes.
   */
  static fromPartialTiles(size: number, readTile: (tile: TileCoord) => Uint8Array): TreeBuilder {
    if (!Number.isSafeInteger(size) || size < 0) throw invalid('a tree size must be a non-negative integer', 'ledger_invalid_range');
    const builder = new TreeBuilder(size);
    for (let level = 0; hashesAtLevel(size, level) > 0; level++) builder.#edge(level);
    for (const tile of partialTiles(size)) {
      const data = readTile(tile);
      if (data.length !== tile.width * HASH_SIZE) {
        throw invalid(`tile ${tile.level}/${tile.index} is ${data.length} bytes, not ${tile.width * HASH_SIZE}`, 'ledger_invalid_tile');
      }
      const edge = builder.#edge(tile.level);
      edge.hashes.set(data);
      edge.count = tile.width;
    }
    return builder;
  }

  get size(): number {
    return this.#size;
  }

  #edge(level: number): { hashes: Buffer; count: number } {
    while (this.#edges.length <= level) this.#edges.push({ hashes: Buffer.alloc(TILE_BYTES), count: 0 });
    return this.#edges[level];
  }

  /**
   * Appends leaf hashes; answers the tiles that became full (each a fresh copy, left to right, lower
   * levels first within a fill). The partial tiles are `partialTiles()`, asked once after a batch.
   */
  append(leafHashes: readonly Uint8Array[]): TileData[] {
    const full: TileData[] = [];
    for (const hash of leafHashes) {
      if (hash.length !== HASH_SIZE) throw invalid(`a leaf hash is ${hash.length} bytes, not ${HASH_SIZE}`, 'ledger_invalid_tile');
      this.#push(0, asBuffer(hash), 0, full);
    }
    return full;
  }

  /** `append` for leaf hashes given back to back in one buffer (as a level-0 tile holds them). */
  appendConcatenated(leafHashes: Uint8Array): TileData[] {
    if (leafHashes.length % HASH_SIZE !== 0) throw invalid(`leaf hashes are ${leafHashes.length} bytes, not a multiple of ${HASH_SIZE}`, 'ledger_invalid_tile');
    const full: TileData[] = [];
    const source = asBuffer(leafHashes);
    for (let at = 0; at < source.length; at += HASH_SIZE) this.#push(0, source, at, full);
    return full;
  }

  #push(level: number, source: Buffer, at: number, full: TileData[]): void {
    const edge = this.#edge(level);
    source.copy(edge.hashes, edge.count * HASH_SIZE, at, at + HASH_SIZE);
    edge.count += 1;
    if (level === 0) this.#size += 1;
    if (edge.count < TILE_WIDTH) return;
    // The new full tile's number: this level's hashes (the new one included) over 256, less one.
    const index = hashesAtLevel(this.#size, level) / TILE_WIDTH - 1;
    full.push({ tile: { level, index, width: TILE_WIDTH }, data: Buffer.from(edge.hashes) });
    const root = perfectRoot(edge.hashes, 0, TILE_WIDTH);
    edge.count = 0;
    this.#push(level + 1, root, 0, full);
  }

  /** The current partial tile of each level that has one, as fresh copies. */
  partialTiles(): TileData[] {
    return partialTiles(this.#size).map((tile) => ({
      tile,
      data: Buffer.from(this.#edges[tile.level].hashes.subarray(0, tile.width * HASH_SIZE)),
    }));
  }

  /** The root of the tree as it stands: its perfect subtrees, from the right edge, folded right to left. */
  root(): Buffer {
    const subtrees: Buffer[] = [];
    for (let level = this.#edges.length - 1; level >= 0; level--) {
      const { hashes, count } = this.#edges[level];
      let first = 0;
      for (let run = TILE_WIDTH / 2; run >= 1; run /= 2) {
        if (count - first >= run) {
          subtrees.push(perfectRoot(hashes, first, run));
          first += run;
        }
      }
    }
    if (subtrees.length === 0) return emptyRoot();
    let root: Buffer = Buffer.from(subtrees[subtrees.length - 1]);
    for (let i = subtrees.length - 2; i >= 0; i--) root = nodeHash(subtrees[i], root);
    return root;
  }
}
