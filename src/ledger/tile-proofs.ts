/**
 * Proofs and roots read from a log's tiles, fetched by path at the widths the tree size implies:
 * the nodes a proof needs are listed first, the tiles holding them fetched once each, then the
 * proof is computed from those tiles alone. A node of height 8l + r (r < 8) is the Merkle root of
 * 2^r consecutive hashes of one level-l tile.
 */
import { invalid } from '../errors/index.js';
import { HASH_SIZE, perfectRoot } from './hash.js';
import { tilePath, type LogFetcher } from './paths.js';
import { consistencyProof, inclusionProof, nodesRead, rangeHash, type NodeCoord, type NodeReader } from './proof.js';
import { partialTiles, TILE_HEIGHT, TILE_WIDTH, tileHolding, tileKey, type TileCoord } from './tiles.js';
import { TreeBuilder } from './tree-builder.js';

function tileOfNode(node: NodeCoord, size: number): { tile: TileCoord; first: number; count: number } {
  const level = Math.floor(node.height / TILE_HEIGHT);
  const count = 2 ** (node.height % TILE_HEIGHT);
  const position = node.index * count;
  const tile = tileHolding(level, position + count - 1, size);
  return { tile, first: position - tile.index * TILE_WIDTH, count };
}

function checkedTile(tile: TileCoord, data: Uint8Array): Buffer {
  if (data.length !== tile.width * HASH_SIZE) {
    throw invalid(`tile ${tile.level}/${tile.index} is ${data.length} bytes, not ${tile.width * HASH_SIZE}`, 'ledger_invalid_tile');
  }
  return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
}

/** Fetches the tiles holding `nodes` of a tree of `size` and answers a reader of those nodes. */
export async function readerFromTiles(fetch: LogFetcher, size: number, nodes: readonly NodeCoord[]): Promise<NodeReader> {
  const tiles = new Map<string, Buffer>();
  for (const node of nodes) {
    const { tile } = tileOfNode(node, size);
    const key = tileKey(tile);
    if (!tiles.has(key)) tiles.set(key, checkedTile(tile, await fetch(tilePath(tile))));
  }
  return (height, index) => {
    const { tile, first, count } = tileOfNode({ height, index }, size);
    const data = tiles.get(tileKey(tile));
    if (!data) throw invalid(`tile ${tile.level}/${tile.index} was not fetched`, 'ledger_invalid_range');
    // A copy: a proof handed out must not share memory with the caller's fetched tiles.
    return Buffer.from(perfectRoot(data, first, count));
  };
}

export async function inclusionProofFromTiles(fetch: LogFetcher, index: number, size: number): Promise<Buffer[]> {
  const read = await readerFromTiles(fetch, size, nodesRead((r) => inclusionProof(r, index, size)));
  return inclusionProof(read, index, size);
}

export async function consistencyProofFromTiles(fetch: LogFetcher, size1: number, size2: number): Promise<Buffer[]> {
  const read = await readerFromTiles(fetch, size2, nodesRead((r) => consistencyProof(r, size1, size2)));
  return consistencyProof(read, size1, size2);
}

/** The hash of leaf `index` of a tree of `size`, from its level-0 tile. */
export async function leafHashFromTiles(fetch: LogFetcher, index: number, size: number): Promise<Buffer> {
  const read = await readerFromTiles(fetch, size, [{ height: 0, index }]);
  return rangeHash(read, index, index + 1);
}

/** A tree builder positioned at `size`, from the tree's partial tiles (fetched). */
export async function builderFromTiles(fetch: LogFetcher, size: number): Promise<TreeBuilder> {
  const fetched = new Map<string, Uint8Array>();
  for (const tile of partialTiles(size)) fetched.set(tileKey(tile), await fetch(tilePath(tile)));
  return TreeBuilder.fromPartialTiles(size, (tile) => fetched.get(tileKey(tile)) ?? Buffer.alloc(0));
}

/** The root of a tree of `size` from its partial tiles. */
export async function rootFromTiles(fetch: LogFetcher, size: number): Promise<Buffer> {
  return (await builderFromTiles(fetch, size)).root();
}
