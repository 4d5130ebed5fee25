/**
 * Inclusion and consistency proofs of RFC 9162 §2.1.3–2.1.4, generated from a reader of the
 * tree's stored node hashes and verified from hashes alone. Sizes and indexes may pass 2^32, so
 * the arithmetic is plain division, never 32-bit bitwise operators.
 */
import { invalid } from '../errors/index.js';
import { HASH_SIZE, isPowerOfTwo, nodeHash, splitPoint } from './hash.js';

/**
 * The hash of the complete subtree of height `height` (2^height leaves) whose leaves start at
 * index × 2^height. Only nodes of complete subtrees are ever asked for.
 */
export type NodeReader = (height: number, index: number) => Buffer;

export interface NodeCoord { readonly height: number; readonly index: number }

/** MTH(D[start:end]) for a range the RFC's recursion produces (start aligned to the range's split). */
export function rangeHash(read: NodeReader, start: number, end: number): Buffer {
  const n = end - start;
  if (isPowerOfTwo(n)) {
    const height = Math.log2(n);
    return read(height, start / n);
  }
  const k = splitPoint(n);
  return nodeHash(rangeHash(read, start, start + k), rangeHash(read, start + k, end));
}

function checkSize(size: number, what: string, code: 'ledger_invalid_range' | 'ledger_invalid_proof' = 'ledger_invalid_range'): void {
  if (!Number.isSafeInteger(size) || size < 0) throw invalid(`${what} must be a non-negative integer`, code);
}

/** PATH(index, D[size]): the audit path of leaf `index`, from the leaf's sibling upward. */
export function inclusionProof(read: NodeReader, index: number, size: number): Buffer[] {
  checkSize(size, 'tree size');
  checkSize(index, 'leaf index');
  if (index >= size) throw invalid(`leaf index ${index} is not below tree size ${size}`, 'ledger_invalid_range');
  const proof: Buffer[] = [];
  let start = 0;
  let end = size;
  // Walk down from the root, noting each sibling; the proof lists them leaf first.
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      proof.push(rangeHash(read, start + k, end));
      end = start + k;
    } else {
      proof.push(rangeHash(read, start, start + k));
      start += k;
    }
  }
  return proof.reverse();
}

/** PROOF(size1, D[size2]): that the tree of size2 extends the tree of size1 (empty when trivial). */
export function consistencyProof(read: NodeReader, size1: number, size2: number): Buffer[] {
  checkSize(size1, 'first tree size');
  checkSize(size2, 'second tree size');
  if (size1 > size2) throw invalid(`tree size ${size1} is larger than ${size2}`, 'ledger_invalid_range');
  if (size1 === 0 || size1 === size2) return [];
  const proof: Buffer[] = [];
  let m = size1;
  let start = 0;
  let end = size2;
  let whole = true;
  // SUBPROOF(m, D[start:end], whole), unrolled: siblings are noted top-down, listed bottom-up.
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      proof.push(rangeHash(read, start + k, end));
      end = start + k;
    } else {
      proof.push(rangeHash(read, start, start + k));
      m -= k;
      start += k;
      whole = false;
    }
  }
  if (!whole) proof.push(rangeHash(read, start, end));
  return proof.reverse();
}

/** The nodes a proof generation reads, so they can be fetched (e.g. as tiles) before proving. */
export function nodesRead(generate: (read: NodeReader) => unknown): NodeCoord[] {
  const nodes: NodeCoord[] = [];
  const placeholder = Buffer.alloc(HASH_SIZE);
  generate((height, index) => {
    nodes.push({ height, index });
    return placeholder;
  });
  return nodes;
}

const badProof = (why: string) => invalid(`proof does not verify: ${why}`, 'ledger_invalid_proof');

function checkHash(hash: Uint8Array, what: string): void {
  if (hash.length !== HASH_SIZE) throw badProof(`${what} is ${hash.length} bytes, not ${HASH_SIZE}`);
}

/** The root an inclusion proof leads to from a leaf hash (RFC 9162 §2.1.3.2). */
export function rootFromInclusionProof(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[]): Buffer {
  checkSize(size, 'tree size', 'ledger_invalid_proof');
  checkSize(index, 'leaf index', 'ledger_invalid_proof');
  if (index >= size) throw badProof(`leaf index ${index} is not below tree size ${size}`);
  checkHash(leaf, 'the leaf hash');
  proof.forEach((p, i) => checkHash(p, `proof hash ${i}`));
  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0) throw badProof('the proof is longer than the path');
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw badProof('the proof is shorter than the path');
  return r;
}

/** Throws ledger_invalid_proof unless `proof` shows leaf `index` with hash `leaf` in the tree with `root`. */
export function verifyInclusion(index: number, size: number, leaf: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  checkHash(root, 'the root');
  if (!rootFromInclusionProof(index, size, leaf, proof).equals(root)) throw badProof('the computed root differs');
}

/** Throws ledger_invalid_proof unless `proof` shows the tree (size2, root2) extends (size1, root1). */
export function verifyConsistency(size1: number, size2: number, proof: readonly Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  checkSize(size1, 'first tree size', 'ledger_invalid_proof');
  checkSize(size2, 'second tree size', 'ledger_invalid_proof');
  if (size1 > size2) throw badProof(`tree size ${size1} is larger than ${size2}`);
  checkHash(root1, 'the first root');
  checkHash(root2, 'the second root');
  proof.forEach((p, i) => checkHash(p, `proof hash ${i}`));
  if (size1 === size2) {
    if (proof.length > 0) throw badProof('equal sizes take an empty proof');
    if (!Buffer.from(root1).equals(root2)) throw badProof('equal sizes with different roots');
    return;
  }
  if (size1 === 0) {
    // The empty tree is a prefix of every tree; there is nothing to prove.
    if (proof.length > 0) throw badProof('a proof from the empty tree is empty');
    return;
  }
  if (proof.length === 0) throw badProof('the proof is empty');
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr: Buffer = Buffer.from(path[0]);
  let sr: Buffer = Buffer.from(path[0]);
  for (const c of path.slice(1)) {
    if (sn === 0) throw badProof('the proof is longer than the path');
    if (fn % 2 === 1 || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) {
        fn /= 2;
        sn = Math.floor(sn / 2);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw badProof('the proof is shorter than the path');
  if (!fr.equals(root1)) throw badProof('the first root differs');
  if (!sr.equals(root2)) throw badProof('the second root differs');
}
