/**
 * The Merkle tree hashes of RFC 6962 §2.1 (RFC 9162 §2.1.1) with SHA-256: a leaf is H(0x00 || entry),
 * an interior node H(0x01 || left || right), and a tree of n leaves splits at the largest power of
 * two smaller than n. The 0x00/0x01 prefixes keep a leaf from ever passing for an interior node.
 */
import { createHash } from 'node:crypto';

export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** The hash of one entry as a leaf of the tree. */
export function leafHash(entry: Uint8Array): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(entry).digest();
}

/** The hash of an interior node from its two children. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
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
