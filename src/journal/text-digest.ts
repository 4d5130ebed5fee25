/**
 * The digest an imported record is found by: the first 8 bytes of the SHA-256 of its text's UTF-8
 * bytes, as a signed 64-bit integer (an INTEGER column, 8 bytes in an index entry). Records of
 * one kind and time are told apart by it before their texts are compared, so an import never
 * compares a record with every stored record of its time. Equal digests are only candidates: the
 * texts are still compared in full. A cryptographic hash, so no input can make many texts share
 * one digest and bring back the comparison of each with all.
 */
import { createHash } from 'node:crypto';

/** The digest of `text`, given as a string or as its UTF-8 bytes (the same digest either way). */
export function textDigest(text: string | Uint8Array): bigint {
  return createHash('sha256').update(text).digest().readBigInt64BE(0);
}
