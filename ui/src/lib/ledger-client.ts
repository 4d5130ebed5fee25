/**
 * What verification needs from the server: the verifier key, the latest signed checkpoint, an
 * inclusion proof and the record's exact text. The crypto is verify-record.ts's.
 */
import type { Api } from './api.js';
import type { RecordPage } from './records.js';
import { parseCheckpointSize } from './checkpoint-size.js';
import { verifyRecord, type RecordVerdict } from './verify-record.js';

export interface LedgerKey { readonly verifier_key: string; readonly origin: string }

export async function verifyRecordOnServer(api: Api, seq: number): Promise<RecordVerdict> {
  try {
    const [key, note] = await Promise.all([api.json<LedgerKey>('sys/ledger/key'), api.text('sys/ledger/checkpoint')]);
    const size = parseCheckpointSize(note);
    if (seq >= size) return { ok: false, reason: `record ${seq} is not in a signed checkpoint yet (size ${size}): try again in a moment` };
    const [proof, page] = await Promise.all([
      api.json<{ index: number; size: number; hashes: string[] }>('sys/ledger/proof/inclusion', new URLSearchParams({ index: String(seq), size: String(size) })),
      api.json<RecordPage>('sys/journal/records', new URLSearchParams({ after_seq: String(seq - 1), limit: '1', format: 'raw' })),
    ]);
    const record = page.records[0];
    if (!record || record.seq !== seq || typeof record.text !== 'string') return { ok: false, reason: `record ${seq} is not in the journal (deleted, or removed by retention)` };
    return await verifyRecord({ seq, text: record.text, checkpointNote: note, verifierKey: key.verifier_key, proof });
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
}
