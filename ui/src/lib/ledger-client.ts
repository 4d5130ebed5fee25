/**
 * What verification needs from the server: the verifier key, the latest signed checkpoint, an
 * inclusion proof and the record's exact text. The crypto is verify-record.ts's. What this
 * browser remembers (trust.ts) is checked too: a pinned key must be the server's, and the log
 * must extend the last checkpoint this browser verified under that key (a consistency proof).
 */
import { ApiError, explainError, type Api } from './api.js';
import { fromBase64, toBase64 } from './bytes.js';
import { parseCheckpointSize } from './checkpoint-size.js';
import { verifyConsistency } from './consistency.js';
import type { Checkpoint } from './note.js';
import type { RecordPage } from './records.js';
import type { SeenCheckpoint, Trust } from './trust.js';
import { verifyRecord, type RecordVerdict } from './verify-record.js';

export interface LedgerKey { readonly verifier_key: string; readonly origin: string }

/** Whether `checkpoint` extends the one seen before under the same key; the reason if not. */
export async function extendsSeen(api: Api, seen: SeenCheckpoint | undefined, checkpoint: Checkpoint): Promise<string | undefined> {
  if (!seen) return undefined;
  if (checkpoint.size < seen.size) return `the server's checkpoint (size ${checkpoint.size}) is older than one this browser verified before (size ${seen.size})`;
  const proof = await api.json<{ hashes: string[] }>('sys/ledger/proof/consistency', new URLSearchParams({ from: String(seen.size), to: String(checkpoint.size) }));
  try {
    await verifyConsistency(seen.size, checkpoint.size, proof.hashes.map(fromBase64), fromBase64(seen.root), checkpoint.root);
    return undefined;
  } catch (err) {
    return `the log does not extend the checkpoint this browser verified before (size ${seen.size}): ${(err as Error).message}`;
  }
}

export interface ServerVerdict {
  readonly verdict: RecordVerdict;
  /** The checkpoint to remember as verified (on success). */
  readonly seen?: SeenCheckpoint;
  /** The size of the checkpoint seen before that this one was proved to extend. */
  readonly extended?: number;
  /** On success: this browser verified checkpoints before, but none under this key (the server's key changed). */
  readonly newKey?: boolean;
  /** On success: the record's text that was verified — what is shown as verified, not another copy. */
  readonly text?: string;
  /**
   * Nothing was checked: the server refused or did not answer a call the check needs (a token
   * without read on the ledger, a sealed server), or no checkpoint covers the record yet. Not a
   * verdict on the record.
   */
  readonly unchecked?: true;
}

export async function verifyRecordOnServer(api: Api, seq: number, trust: Trust = {}): Promise<ServerVerdict> {
  const bad = (reason: string): ServerVerdict => ({ verdict: { ok: false, reason } });
  try {
    const [key, note] = await Promise.all([api.json<LedgerKey>('sys/ledger/key'), api.text('sys/ledger/checkpoint')]);
    if (trust.pinnedKey !== undefined && trust.pinnedKey !== key.verifier_key) return bad('the server\'s ledger key is not the key pinned in this browser');
    const size = parseCheckpointSize(note);
    if (seq >= size) return { verdict: { ok: false, reason: `record ${seq} is not in a signed checkpoint yet (size ${size}): try again in a moment` }, unchecked: true };
    const [proof, page] = await Promise.all([
      api.json<{ index: number; size: number; hashes: string[] }>('sys/ledger/proof/inclusion', new URLSearchParams({ index: String(seq), size: String(size) })),
      api.json<RecordPage>('sys/journal/records', new URLSearchParams({ after_seq: String(seq - 1), limit: '1', format: 'raw' })),
    ]);
    const record = page.records[0];
    if (!record || record.seq !== seq || typeof record.text !== 'string') return bad(`record ${seq} is not in the journal (deleted, or removed by retention)`);
    const verdict = await verifyRecord({ seq, text: record.text, checkpointNote: note, verifierKey: key.verifier_key, proof });
    if (!verdict.ok) return { verdict };
    const seen = trust.seen?.find((c) => c.key === key.verifier_key);
    const rewritten = await extendsSeen(api, seen, verdict.checkpoint);
    if (rewritten) return bad(rewritten);
    return {
      verdict, seen: { key: key.verifier_key, size: verdict.checkpoint.size, root: toBase64(verdict.checkpoint.root) }, extended: seen?.size,
      newKey: seen === undefined && (trust.seen?.length ?? 0) > 0, text: record.text,
    };
  } catch (err) {
    if (err instanceof ApiError) return { verdict: { ok: false, reason: explainError(err) }, unchecked: true };
    return bad(err instanceof Error ? err.message : String(err));
  }
}
