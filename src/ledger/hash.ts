/**
 * The Merkle tree hashes of RFC 6962 §2.1 (RFC 9162 §2.1.1) with SHA-256: a leaf is H(0x00 || entry),
 * an interior node H(0x01 || left || right), and a tree of n leaves splits at the largest power of
 * two smaller than n. The 0x00/0x01 prefixes keep a leaf from ever passing for an interior node.
 */
import { createHash, hash } from 'node:crypto';

export const HASH_SIZE = 32;

/** The largest entry a leaf is ever built from (an entry bundle's uint16 length). */
const MAX_LEAF_INPUT = 0xffff;

/*
 * One-shot hashing of a prefix byte and the input copied into a scratch buffer is about twice as
 * fast as a streaming hash object per leaf (the log verifier hashes every entry of the log). The
 * scratch buffers are only touched synchronously inside these functions.
 */
const leafScratch = Buffer.alloc(1 + MAX_LEAF_INPUT);
const nodeScratch = Buffer.alloc(1 + 2 * HASH_SIZE);
leafScratch[0] = 0x00;
nodeScratch[0] = 0x01;

/** The hash of one entry as a leaf of the tree. */
export function leafHash(entry: Uint8Array): Buffer {
  if (entry.length > MAX_LEAF_INPUT) return createHash('sha256').update(leafScratch.subarray(0, 1)).update(entry).digest();
  leafScratch.set(entry, 1);
  return hash('sha256', leafScratch.subarray(0, 1 + entry.length), 'buffer');
}

/** The leaf hash of source[start:end], read in place (no view allocated per entry). */
export function leafHashOfRange(source: Buffer, start: number, end: number): Buffer {
  if (end - start > MAX_LEAF_INPUT) return leafHash(source.subarray(start, end));
  source.copy(leafScratch, 1, start, end);
  return hash('sha256', leafScratch.subarray(0, 1 + end - start), 'buffer');
}

/** The hash of the interior node whose two children sit side by side: source[at:at+64]. */
export function nodeHashOfPair(source: Buffer, at: number): Buffer {
  source.copy(nodeScratch, 1, at, at + 2 * HASH_SIZE);
  return hash('sha256', nodeScratch, 'buffer');
}

/** The hash of an interior node from its two children (32 bytes each). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return createHash('sha256').update(nodeScratch.subarray(0, 1)).update(left).update(right).digest();
  }
  nodeScratch.set(left, 1);
  nodeScratch.set(right, 1 + HASH_SIZE);
  return hash('sha256', nodeScratch, 'buffer');
}

/**
 * The Merkle root of a perfect run of `count` hashes (a power of two) stored back to back in `data`
 * from hash `first`: the tiles' layout. Pairs sit side by side, so each level hashes in place.
 * A run of one is answered as a view into `data`.
 */
export function perfectRoot(data: Buffer, first: number, count: number): Buffer {
  let level = data.subarray(first * HASH_SIZE, (first + count) * HASH_SIZE);
  for (let n = count / 2; n >= 1; n /= 2) {
    const next = Buffer.allocUnsafe(n * HASH_SIZE);
    for (let i = 0; i < n; i++) next.set(nodeHashOfPair(level, i * 2 * HASH_SIZE), i * HASH_SIZE);
    level = next;
  }
  return level;
}

/** The root of the empty tree: SHA-256 of nothing. */
export function emptyRoot(): Buffer {
  return createHash('sha256').digest();
}

/** The largest power of two smaller than n (n ≥ 2), where the tree of n leaves splits. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The Merkle tree hash of a list of leaf hashes (the root of a tree holding exactly them). */
export function rootOf(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return emptyRoot();
  return subtreeRoot(leafHashes, 0, leafHashes.length);
}

function subtreeRoot(hashes: readonly Uint8Array[], start: number, end: number): Buffer {
  if (end - start === 1) return Buffer.from(hashes[start]);
  const k = splitPoint(end - start);
  return nodeHash(subtreeRoot(hashes, start, start + k), subtreeRoot(hashes, start + k, end));
}

/** True when n is a power of two (1, 2, 4, ...); sizes here may pass 2^32, so no bitwise tricks. */
export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}
