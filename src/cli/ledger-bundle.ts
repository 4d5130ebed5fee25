/**
 * The proof bundle `sealtrail ledger prove` writes and `verify-bundle` checks: one journal record,
 * its ledger entry, its inclusion proof and the signed checkpoint the proof leads to —
 *
 *   {"format":"sealtrail-ledger-proof/v1","seq":N,"record":"<record text>","entry":"<base64 entry>",
 *    "inclusion":{"index":I,"size":S,"hashes":["<base64>",...]},"checkpoint":"<signed note>"}
 *
 * Leaf I of the log is the journal record with seq I, so `seq` and `inclusion.index` are equal.
 * Everything needed to check it offline is inside, except the log's verifier key, which the
 * checker must hold already (a key shipped in the bundle would prove nothing).
 */
import { SealtrailError } from '../errors/index.js';
import { nestsDeeper } from '../lib/json-depth.js';
import { MAX_BUNDLE_DEPTH } from './input-limits.js';
import {
  entryMatchesRecord, HASH_SIZE, leafHash, openCheckpoint, rootFromInclusionProof, type NoteVerifier,
} from '../ledger/index.js';

export const BUNDLE_FORMAT = 'sealtrail-ledger-proof/v1';
/** An inclusion proof of a tree of up to 2^53 leaves has at most 53 hashes; more is malformed. */
export const MAX_PROOF_HASHES = 64;

export interface ProofBundle {
  format: string;
  seq: number;
  record: string;
  entry: string;
  inclusion: { index: number; size: number; hashes: string[] };
  checkpoint: string;
}

export function formatProofBundle(bundle: ProofBundle): string {
  return `${JSON.stringify(bundle, null, 2)}\n`;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/** Standard base64 of exactly what it decodes to; undefined otherwise. */
export function strictBase64(text: unknown, length?: number): Buffer | undefined {
  if (typeof text !== 'string') return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text || (length !== undefined && bytes.length !== length)) return undefined;
  return bytes;
}

/** The bundle in `text`; the reason it is malformed otherwise (a string, for the report). */
export function parseProofBundle(text: string): ProofBundle | string {
  // Before JSON.parse, which holds memory for every level it has open.
  if (nestsDeeper(text, MAX_BUNDLE_DEPTH)) return `the bundle nests deeper than ${MAX_BUNDLE_DEPTH} levels (a proof bundle nests three)`;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return 'the bundle is not JSON';
  }
  const b = value as Partial<ProofBundle> | null;
  if (typeof b !== 'object' || b === null || Array.isArray(b)) return 'the bundle is not a JSON object';
  if (b.format !== BUNDLE_FORMAT) return `the bundle's format is not ${BUNDLE_FORMAT}`;
  if (!isCount(b.seq)) return '"seq" is not a journal sequence number (a non-negative integer)';
  if (typeof b.record !== 'string') return '"record" is not a string';
  if (strictBase64(b.entry) === undefined) return '"entry" is not standard base64';
  if (typeof b.checkpoint !== 'string') return '"checkpoint" is not a string';
  const inc = b.inclusion;
  if (typeof inc !== 'object' || inc === null || !isCount(inc.index) || !isCount(inc.size)) return '"inclusion" does not have an integer index and size';
  if (!Array.isArray(inc.hashes) || inc.hashes.length > MAX_PROOF_HASHES) return `"inclusion.hashes" is not a list of at most ${MAX_PROOF_HASHES} hashes`;
  const bad = inc.hashes.findIndex((h) => strictBase64(h, HASH_SIZE) === undefined);
  if (bad >= 0) return `inclusion hash ${bad} is not ${HASH_SIZE} bytes in standard base64`;
  return b as ProofBundle;
}

export type BundleVerdict = { ok: true; summary: string } | { ok: false; reason: string };

export const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Checks a bundle against the log's key: the checkpoint's signature, the record against the
 * entry, the entry's leaf hash and the proof against the signed root. The first check that fails
 * is the reason.
 */
export function verifyProofBundle(bundle: ProofBundle, key: NoteVerifier): BundleVerdict {
  let size: number;
  let root: Buffer;
  try {
    ({ checkpoint: { size, root } } = openCheckpoint(bundle.checkpoint, key));
  } catch (err) {
    if (!(err instanceof SealtrailError)) throw err;
    return { ok: false, reason: `the checkpoint does not verify with the key of ${key.name}: ${err.message}` };
  }
  const { seq } = bundle;
  const { index, hashes } = bundle.inclusion;
  if (bundle.inclusion.size !== size) return { ok: false, reason: `the proof is for a tree of ${bundle.inclusion.size} entries, the checkpoint's has ${size}` };
  if (index !== seq) return { ok: false, reason: `the proof is for entry ${index}, record seq ${seq} is entry ${seq}` };
  if (index >= size) return { ok: false, reason: `entry ${index} is beyond the checkpoint's ${size} entries` };
  const entry = strictBase64(bundle.entry)!;
  if (!entryMatchesRecord(entry, seq, Buffer.from(bundle.record, 'utf8'))) {
    return { ok: false, reason: `the record does not match entry ${index} (the record was changed, or is not record seq ${seq})` };
  }
  let computed: Buffer;
  try {
    computed = rootFromInclusionProof(index, size, leafHash(entry), hashes.map((h) => Buffer.from(h, 'base64')));
  } catch (err) {
    return { ok: false, reason: `the inclusion proof of entry ${index}: ${messageOf(err)}` };
  }
  if (!computed.equals(root)) return { ok: false, reason: `the inclusion proof of entry ${index} does not lead to the checkpoint's root (a proof hash or the entry differs)` };
  return { ok: true, summary: `record seq ${seq} is entry ${index} of ${key.name} at tree size ${size}, root ${root.toString('base64')}` };
}
