/**
 * Verifying one journal record against the signed ledger: the record's exact text (the journal's
 * `format=raw`) becomes its ledger entry and leaf hash; the inclusion proof leads from the leaf to
 * a root that must be the root of a checkpoint signed by the log's key.
 */
import { equalBytes, fromBase64, toBase64, utf8 } from './bytes.js';
import { ledgerEntry } from './entry.js';
import { leafHash, rootFromInclusionProof } from './merkle.js';
import { openCheckpoint, parseVerifierKey, type Checkpoint } from './note.js';

export interface RecordProofInput {
  readonly seq: number;
  /** The record's text exactly as the journal returns it with format=raw. */
  readonly text: string;
  /** `GET sys/ledger/checkpoint`: the signed note. */
  readonly checkpointNote: string;
  /** `GET sys/ledger/key`: the log's verifier key (pin it where the console runs, if you can). */
  readonly verifierKey: string;
  /** `GET sys/ledger/proof/inclusion?index=<seq>&size=<checkpoint size>`: base64 hashes. */
  readonly proof: { readonly index: number; readonly size: number; readonly hashes: readonly string[] };
}

export type RecordVerdict =
  | { readonly ok: true; readonly checkpoint: Checkpoint; readonly rootBase64: string; readonly leafBase64: string }
  | { readonly ok: false; readonly reason: string };

export async function verifyRecord(input: RecordProofInput): Promise<RecordVerdict> {
  try {
    const key = await parseVerifierKey(input.verifierKey);
    const checkpoint = await openCheckpoint(input.checkpointNote, key);
    if (input.proof.index !== input.seq) return { ok: false, reason: `the proof is for leaf ${input.proof.index}, not record ${input.seq}` };
    if (input.proof.size !== checkpoint.size) return { ok: false, reason: `the proof is for tree size ${input.proof.size}, the checkpoint's is ${checkpoint.size}` };
    const leaf = await leafHash(await ledgerEntry(input.seq, utf8(input.text)));
    const root = await rootFromInclusionProof(input.seq, checkpoint.size, leaf, input.proof.hashes.map(fromBase64));
    if (!equalBytes(root, checkpoint.root)) {
      return { ok: false, reason: 'the record does not match its ledger entry: the root computed from it and the proof differs from the signed checkpoint\'s' };
    }
    return { ok: true, checkpoint, rootBase64: toBase64(root), leafBase64: toBase64(leaf) };
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
