/**
 * RFC 6962 / RFC 9162 Merkle tree hashing with Web Crypto's SHA-256, as the server's ledger does
 * (src/ledger/hash.ts, proof.ts): a leaf is H(0x00 || entry), a node H(0x01 || left || right), and
 * an inclusion proof is walked from the leaf's sibling upward to the root.
 */
import { buffer, concat } from './bytes.js';

export const HASH_SIZE = 32;

export async function sha256(data: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', buffer(data)));
}

export function leafHash(entry: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(Uint8Array.of(0), entry));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(Uint8Array.of(1), left, right));
}

/** The largest power of two smaller than n (n ≥ 2). */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The Merkle tree hash of a list of leaf hashes (the empty tree's is SHA-256 of nothing). */
export async function rootOf(leaves: readonly Uint8Array[]): Promise<Uint8Array> {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  // Bottom-up, level by level: a lone last node is carried up unchanged, which is exactly the
  // RFC's split at the largest power of two.
  let level = leaves.slice();
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(await nodeHash(level[i], level[i + 1]));
    if (level.length % 2 === 1) next.push(level[level.length - 1]);
    level = next;
  }
  return level[0];
}

/** The root an inclusion proof leads to (RFC 9162 §2.1.3.2); throws with the reason it cannot. */
export async function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Promise<Uint8Array> {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) throw new Error(`leaf index ${index} is not below tree size ${size}`);
  if (leaf.length !== HASH_SIZE || proof.some((p) => p.length !== HASH_SIZE)) throw new Error('a proof hash is not 32 bytes');
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new Error('the proof is longer than the path');
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('the proof is shorter than the path');
  return r;
}
