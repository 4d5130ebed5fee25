/**
 * The journal's append thread: owns a write connection and commits each batch the server posts,
 * answering with the batch's seqs or its error. SQLite's work (the row, its indexes, the WAL
 * fsync) runs here, off the thread that answers requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openJournalDatabase } from './schema.js';
import type { JournalAppend } from './types.js';
import { createJournalWriter } from './writer.js';

export interface AppendBatch {
  id: number;
  records: JournalAppend[];
}

export type AppendAnswer = { id: number; seqs: number[] } | { id: number; error: string; code?: string };

const port = parentPort;
if (port) {
  const db = openJournalDatabase((workerData as { path: string }).path);
  const writer = createJournalWriter(db);
  port.on('message', (batch: AppendBatch | 'close') => {
    if (batch === 'close') {
      db.close();
      port.close();
      return;
    }
    let answer: AppendAnswer;
    try {
      answer = { id: batch.id, seqs: writer.appendAll(batch.records) };
    } catch (err) {
      answer = { id: batch.id, error: err instanceof Error ? err.message : 'append failed', code: (err as { code?: string }).code };
    }
    port.postMessage(answer);
  });
}
