/**
 * Public keys for validation, by fingerprint: from PEM files (a file or every *.pem in a
 * directory) or from ListPublicKeys' `PublicKeyList` (base64 DER PKCS#1 values).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { invalid } from '../../errors/index.js';
import { importPublicKey, pkcs1Der, publicKeyFingerprint } from '../keys/crypto.js';

export type PublicKeysByFingerprint = Map<string, KeyObject>;

export function keysFromPublicKeyList(list: ReadonlyArray<{ Value: string; Fingerprint?: string }>): PublicKeysByFingerprint {
  const out: PublicKeysByFingerprint = new Map();
  for (const entry of list) {
    const key = importPublicKey(Buffer.from(entry.Value, 'base64'));
    out.set(entry.Fingerprint ?? publicKeyFingerprint(pkcs1Der(key)), key);
  }
  return out;
}

export function keysFromPem(pem: string): PublicKeysByFingerprint {
  const out: PublicKeysByFingerprint = new Map();
  const blocks = pem.match(/-----BEGIN [A-Z ]*PUBLIC KEY-----[\s\S]+?-----END [A-Z ]*PUBLIC KEY-----/g) ?? [];
  for (const block of blocks) {
    const key = importPublicKey(block);
    out.set(publicKeyFingerprint(pkcs1Der(key)), key);
  }
  return out;
}

export async function keysFromPath(path: string): Promise<PublicKeysByFingerprint> {
  let files: string[];
  try {
    files = (await stat(path)).isDirectory() ? (await readdir(path)).filter((f) => f.endsWith('.pem')).map((f) => join(path, f)) : [path];
  } catch {
    throw invalid(`cannot read public key file ${path}`, 'trail_public_key_unreadable');
  }
  const out: PublicKeysByFingerprint = new Map();
  for (const f of files) for (const [fp, key] of keysFromPem(await readFile(f, 'utf8'))) out.set(fp, key);
  if (out.size === 0) throw invalid(`no PEM public key found in ${path}`, 'trail_public_key_missing');
  return out;
}
