/**
 * RFC 9162 §2.1.4.2: that the tree of size2 with root2 extends the tree of size1 with root1, from
 * a consistency proof — the same walk as the server's verifyConsistency (src/ledger/proof.ts).
 * Throws with the reason when it does not.
 */
import { equalBytes } from './bytes.js';
import { HASH_SIZE, nodeHash } from './merkle.js';

function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

export async function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): Promise<void> {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 0 || size1 > size2) throw new Error(`tree size ${size1} does not precede ${size2}`);
  if (root1.length !== HASH_SIZE || root2.length !== HASH_SIZE || proof.some((p) => p.length !== HASH_SIZE)) throw new Error('a hash is not 32 bytes');
  if (size1 === size2) {
    if (proof.length > 0) throw new Error('equal sizes take an empty proof');
    if (!equalBytes(root1, root2)) throw new Error('equal sizes with different roots');
    return;
  }
  if (size1 === 0) {
    if (proof.length > 0) throw new Error('a proof from the empty tree is empty');
    return;
  }
  if (proof.length === 0) throw new Error('the proof is empty');
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) throw new Error('the proof is longer than the path');
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw new Error('the proof is shorter than the path');
  if (!equalBytes(fr, root1)) throw new Error('the first root differs');
  if (!equalBytes(sr, root2)) throw new Error('the second root differs');
}
