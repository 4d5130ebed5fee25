/**
 * Tile coordinates of C2SP tlog-tiles: a tile is up to 256 hashes of one level; level 0 holds
 * the leaf hashes, level l hash i is the Merkle root of full tile i of level l−1 (so it covers
 * 256^l leaves). The rightmost tile of a level is partial while it holds fewer than 256 hashes,
 * and a partial tile is never hashed into the level above.
 */
import { invalid } from '../errors/index.js';

/** Hashes (and entries) per full tile. */
export const TILE_WIDTH = 256;
/** Tree levels one tile level spans: 256 = 2^8. */
export const TILE_HEIGHT = 8;
/** The highest tile level the path syntax allows (tlog-tiles: 0..63). */
export const MAX_TILE_LEVEL = 63;

/** A hash tile: `width` hashes (1..256; 256 is a full tile) of `level`, tile number `index`. */
export interface TileCoord { readonly level: number; readonly index: number; readonly width: number }
/** An entry bundle: entries index × 256 .. index × 256 + width − 1. */
export interface BundleCoord { readonly index: number; readonly width: number }

/** How many hashes a tree of `size` leaves stores at `level` (only full lower tiles count). */
export function hashesAtLevel(size: number, level: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

/** The tile of `level` holding hash position `position` in a tree of `size`, at that size's width. */
export function tileHolding(level: number, position: number, size: number): TileCoord {
  const count = hashesAtLevel(size, level);
  if (!(position < count)) throw invalid(`level ${level} of a tree of ${size} has no hash ${position}`, 'ledger_invalid_range');
  const index = Math.floor(position / TILE_WIDTH);
  return { level, index, width: Math.min(TILE_WIDTH, count - index * TILE_WIDTH) };
}

/** Every hash tile of a tree of `size`, level by level, left to right (the partial ones last in each level). */
export function* tilesOfTree(size: number): Generator<TileCoord> {
  for (let level = 0; hashesAtLevel(size, level) > 0; level++) {
    const count = hashesAtLevel(size, level);
    for (let index = 0; index * TILE_WIDTH < count; index++) {
      yield { level, index, width: Math.min(TILE_WIDTH, count - index * TILE_WIDTH) };
    }
  }
}

/** Every entry bundle of a log of `size` entries, left to right. */
export function* bundlesOfTree(size: number): Generator<BundleCoord> {
  for (let index = 0; index * TILE_WIDTH < size; index++) {
    yield { index, width: Math.min(TILE_WIDTH, size - index * TILE_WIDTH) };
  }
}

/** The partial tile of each level of a tree of `size` (a level whose hashes fill whole tiles has none). */
export function partialTiles(size: number): TileCoord[] {
  const tiles: TileCoord[] = [];
  for (let level = 0; hashesAtLevel(size, level) > 0; level++) {
    const count = hashesAtLevel(size, level);
    const width = count % TILE_WIDTH;
    if (width > 0) tiles.push({ level, index: (count - width) / TILE_WIDTH, width });
  }
  return tiles;
}

/** A map key for a tile (level/index/width), for callers that cache fetched tiles. */
export function tileKey(tile: TileCoord): string {
  return `${tile.level}/${tile.index}/${tile.width}`;
}
