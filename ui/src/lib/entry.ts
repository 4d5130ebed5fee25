/**
 * A journal record as a ledger entry (src/ledger/entry.ts): the record's UTF-8 text itself, or,
 * for a record over 65,535 bytes or one starting like a digest entry, the digest entry naming its
 * seq, size and SHA-256.
 */
import { concat, toHex, utf8 } from './bytes.js';
import { sha256 } from './merkle.js';

export const DIGEST_ENTRY_HEADER = 'sealtrail-ledger-digest-entry/v1\n';
export const MAX_ENTRY_BYTES = 0xffff;
const HEADER = utf8(DIGEST_ENTRY_HEADER);

function startsWithHeader(record: Uint8Array): boolean {
  if (record.length < HEADER.length) return false;
  for (let i = 0; i < HEADER.length; i++) if (record[i] !== HEADER[i]) return false;
  return true;
}

export async function ledgerEntry(seq: number, record: Uint8Array): Promise<Uint8Array> {
  if (record.length <= MAX_ENTRY_BYTES && !startsWithHeader(record)) return record;
  const digest = toHex(await sha256(record));
  return concat(HEADER, utf8(`seq ${seq}\nsize ${record.length}\nsha256 ${digest}\n`));
}

/** The entries of a C2SP entry bundle: each prefixed by its big-endian uint16 length. */
export function bundleEntries(data: Uint8Array, expected: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (at < data.length) {
    if (at + 2 > data.length) throw new Error(`entry ${out.length} has a truncated length`);
    const length = (data[at] << 8) | data[at + 1];
    if (at + 2 + length > data.length) throw new Error(`entry ${out.length} is truncated`);
    out.push(data.subarray(at + 2, at + 2 + length));
    at += 2 + length;
  }
  if (out.length !== expected) throw new Error(`the bundle holds ${out.length} entries, not ${expected}`);
  return out;
}
