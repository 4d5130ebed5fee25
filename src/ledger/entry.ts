/**
 * A journal record as a ledger entry. A record of at most 65,535 bytes is its own entry; a larger
 * one (or one that starts like a digest entry, so no record can pose as one) enters the tree as a
 * short digest entry naming its sequence number, size and SHA-256, and the journal keeps the record:
 *
 *   sealtrail-ledger-digest-entry/v1\n
 *   seq <decimal sequence number>\n
 *   size <decimal byte count>\n
 *   sha256 <64 lowercase hex digits>\n
 */
import { createHash } from 'node:crypto';
import { MAX_ENTRY_BYTES } from './bundles.js';

export const DIGEST_ENTRY_HEADER = 'sealtrail-ledger-digest-entry/v1\n';
const HEADER_BYTES = Buffer.from(DIGEST_ENTRY_HEADER);

export interface DigestEntry { readonly seq: number; readonly size: number; readonly sha256: Buffer }

/** Whether a record goes into the tree as a digest entry instead of verbatim. */
export function needsDigestEntry(record: Uint8Array): boolean {
  return record.length > MAX_ENTRY_BYTES || Buffer.from(record.buffer, record.byteOffset, record.byteLength).subarray(0, HEADER_BYTES.length).equals(HEADER_BYTES);
}

export function digestEntry(seq: number, record: Uint8Array): Buffer {
  const sha256 = createHash('sha256').update(record).digest('hex');
  return Buffer.from(`${DIGEST_ENTRY_HEADER}seq ${seq}\nsize ${record.length}\nsha256 ${sha256}\n`);
}

/** The ledger entry of record number `seq`: the record itself (not copied) or its digest entry. */
export function ledgerEntry(seq: number, record: Uint8Array): Uint8Array {
  return needsDigestEntry(record) ? digestEntry(seq, record) : record;
}

const DIGEST_FORM = /^seq (0|[1-9]\d*)\nsize (0|[1-9]\d*)\nsha256 ([0-9a-f]{64})\n$/;

/** The digest an entry names, or undefined when the entry is a record itself. */
export function parseDigestEntry(entry: Uint8Array): DigestEntry | undefined {
  const bytes = Buffer.from(entry.buffer, entry.byteOffset, entry.byteLength);
  if (!bytes.subarray(0, HEADER_BYTES.length).equals(HEADER_BYTES)) return undefined;
  const m = DIGEST_FORM.exec(bytes.subarray(HEADER_BYTES.length).toString('latin1'));
  if (!m) return undefined;
  return { seq: Number(m[1]), size: Number(m[2]), sha256: Buffer.from(m[3], 'hex') };
}

/** Whether `entry` is the ledger entry of record `seq` with these bytes (verbatim, or its digest). */
export function entryMatchesRecord(entry: Uint8Array, seq: number, record: Uint8Array): boolean {
  return Buffer.from(ledgerEntry(seq, record)).equals(entry);
}
