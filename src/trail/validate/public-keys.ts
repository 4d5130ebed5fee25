/**
 * Public keys for validation, by fingerprint: from PEM text (a file's, or each *.pem's of a
 * directory: the CLI reads them, within its input bounds) or from ListPublicKeys' `PublicKeyList`
 * (base64 DER PKCS#1 values).
 */
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

/** The public keys of PEM text; a block that is no key is refused, naming `where` (the file). */
function keysFromPem(pem: string, where: string): PublicKeysByFingerprint {
  const out: PublicKeysByFingerprint = new Map();
  const blocks = pem.match(/-----BEGIN [A-Z ]*PUBLIC KEY-----[\s\S]+?-----END [A-Z ]*PUBLIC KEY-----/g) ?? [];
  for (const block of blocks) {
    let key: KeyObject;
    try {
      key = importPublicKey(block);
    } catch {
      throw invalid(`a PEM public key in ${where} does not parse`, 'trail_public_key_unreadable');
    }
    out.set(publicKeyFingerprint(pkcs1Der(key)), key);
  }
  return out;
}

/** The keys of several PEM files' texts; none at all is an error naming `where` (a file or directory). */
export function keysFromPemFiles(files: ReadonlyArray<{ path: string; text: string }>, where: string): PublicKeysByFingerprint {
  const out: PublicKeysByFingerprint = new Map();
  for (const file of files) for (const [fp, key] of keysFromPem(file.text, file.path)) out.set(fp, key);
  if (out.size === 0) throw invalid(`no PEM public key found in ${where}`, 'trail_public_key_missing');
  return out;
}
