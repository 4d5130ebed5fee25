/**
 * An independent client of the ledger's HTTP API, written from the specifications alone (RFC 6962
 * hashing, RFC 9162 proof verification, C2SP tlog-tiles, tlog-checkpoint and signed-note with
 * Ed25519) on node:crypto — it imports nothing of src/ledger, so a shared mistake cannot hide.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';

export const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};
export const leafHash = (entry: Uint8Array): Buffer => sha256(Buffer.from([0]), entry);
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(Buffer.from([1]), left, right);

/** The largest power of two below n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH(D[n]) of RFC 6962 §2.1, straight from the definition. */
export function merkleRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return leaves[0];
  const k = split(leaves.length);
  return nodeHash(merkleRoot(leaves.slice(0, k)), merkleRoot(leaves.slice(k)));
}

/** A tile index in tlog-tiles form: three-digit groups, all but the last prefixed with x. */
export function tileIndex(n: number): string {
  const groups: string[] = [];
  do {
    groups.unshift(String(n % 1000).padStart(3, '0'));
    n = Math.floor(n / 1000);
  } while (n > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export const widthSuffix = (width: number): string => (width === 256 ? '' : `.p/${width}`);

/** The entries of an entry bundle (big-endian uint16 length prefixes), exactly `count` of them. */
export function bundleEntries(data: Buffer, count: number): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const length = data.readUInt16BE(at);
    out.push(data.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (at !== data.length || out.length !== count) throw new Error(`a bundle of ${out.length} entries, not ${count}`);
  return out;
}

export interface Checkpoint { origin: string; size: number; root: Buffer; body: string }

/**
 * Opens a signed checkpoint with a verifier key `<name>+<8 hex key id>+<base64(0x01 || key)>`:
 * the key id is checked against SHA-256(name || "\n" || 0x01 || key), the signature line
 * `— <name> <base64(key id || signature)>` must verify over the body (the note up to its blank line).
 */
export function openSignedCheckpoint(note: string, verifierKey: string): Checkpoint {
  const [name, idHex, keyB64] = verifierKey.split('+', 2).concat(verifierKey.split('+').slice(2).join('+'));
  const key = Buffer.from(keyB64, 'base64');
  if (key.length !== 33 || key[0] !== 1) throw new Error('not an Ed25519 verifier key');
  const keyId = sha256(Buffer.from(`${name}\n`), key).subarray(0, 4);
  if (keyId.toString('hex') !== idHex) throw new Error('the key id does not match');
  const blank = note.indexOf('\n\n');
  if (blank < 0) throw new Error('no blank line');
  const body = note.slice(0, blank + 1);
  const lines = note.slice(blank + 2).split('\n').filter((l) => l !== '');
  const publicKey = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: key.subarray(1).toString('base64url') }, format: 'jwk' });
  const signed = lines.some((line) => {
    const m = /^\u2014 (\S+) (\S+)$/.exec(line);
    if (!m || m[1] !== name) return false;
    const sig = Buffer.from(m[2], 'base64');
    return sig.subarray(0, 4).equals(keyId) && verify(null, Buffer.from(body), publicKey, sig.subarray(4));
  });
  if (!signed) throw new Error('no valid signature by the key');
  const [origin, size, root] = body.slice(0, -1).split('\n');
  if (origin !== name) throw new Error('the origin is not the key name');
  return { origin, size: Number(size), root: Buffer.from(root, 'base64'), body };
}

/** RFC 9162 §2.1.3.2: the root an inclusion proof leads to. */
export function rootFromInclusion(index: number, size: number, leaf: Buffer, proof: readonly Buffer[]): Buffer {
  if (index >= size) throw new Error('index not below size');
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) throw new Error('proof too long');
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
  if (sn !== 0) throw new Error('proof too short');
  return r;
}

/** RFC 9162 §2.1.4.2: whether `proof` shows the tree (size2, root2) extends (size1, root1). */
export function consistent(size1: number, size2: number, proof: readonly Buffer[], root1: Buffer, root2: Buffer): boolean {
  if (size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && root1.equals(root2);
  if (size1 === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = (fn - 1) / 2;
    sn = Math.floor(sn / 2);
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
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
  return sn === 0 && fr.equals(root1) && sr.equals(root2);
}

/** GETs a ledger resource with an optional token; the status, headers and raw bytes. */
export async function ledgerGet(base: string, path: string, token?: string): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(`${base}/v1/sys/ledger/${path}`, { headers: token ? { 'x-vault-token': token } : {} });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

/** Every entry of the log up to `size`, read from its entry bundles over HTTP. */
export async function fetchEntries(base: string, size: number, token?: string): Promise<Buffer[]> {
  const entries: Buffer[] = [];
  for (let n = 0; n * 256 < size; n++) {
    const width = Math.min(256, size - n * 256);
    const res = await ledgerGet(base, `tile/entries/${tileIndex(n)}${widthSuffix(width)}`, token);
    if (res.status !== 200) throw new Error(`bundle ${n}: ${res.status}`);
    entries.push(...bundleEntries(res.body, width));
  }
  return entries;
}

/**
 * Checks every hash tile of a tree of `size` leaves over HTTP against the leaf hashes: level 0 holds
 * them, level l hash i is the root of full tile i of level l−1. Answers the number of tiles read.
 */
export async function checkTiles(base: string, leaves: readonly Buffer[], token?: string): Promise<number> {
  let level = 0;
  let hashes = [...leaves];
  let read = 0;
  while (hashes.length > 0) {
    const next: Buffer[] = [];
    for (let n = 0; n * 256 < hashes.length; n++) {
      const part = hashes.slice(n * 256, n * 256 + 256);
      const res = await ledgerGet(base, `tile/${level}/${tileIndex(n)}${widthSuffix(part.length)}`, token);
      if (res.status !== 200) throw new Error(`tile ${level}/${n}: ${res.status}`);
      if (!res.body.equals(Buffer.concat(part))) throw new Error(`tile ${level}/${n} differs from the hashes below it`);
      read++;
      if (part.length === 256) next.push(merkleRoot(part));
    }
    hashes = next;
    level++;
  }
  return read;
}

/** Polls `base`'s ledger until it has signed a checkpoint of at least `size` leaves (bounded: 20 s). */
export async function checkpointAtLeast(base: string, token: string, key: string, size: number): Promise<Checkpoint> {
  for (let i = 0; i < 200; i++) {
    const res = await ledgerGet(base, 'checkpoint', token).catch(() => undefined);
    if (res?.status === 200) {
      const cp = openSignedCheckpoint(res.body.toString('utf8'), key);
      if (cp.size >= size) return cp;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no checkpoint of ${size} leaves within 20 s`);
}
