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
  const { path, fsync } = workerData as { path: string; fsync: boolean };
  const db = openJournalDatabase(path, { fsync });
  const writer = createJournalWriter(db);
  // Batches that arrived while a commit was running are committed together: one transaction (and
  // one WAL sync) for all of them. If that fails, each is retried alone, so one bad batch does not
  // fail the others.
  let waiting: AppendBatch[] = [];
  let closing = false;
  const commit = () => {
    const batches = waiting;
    waiting = [];
    let answers: AppendAnswer[];
    try {
      const seqs = writer.appendAll(batches.flatMap((b) => b.records));
      let at = 0;
      answers = batches.map((b) => ({ id: b.id, seqs: seqs.slice(at, (at += b.records.length)) }));
    } catch {
      answers = batches.map((b) => {
        try {
          return { id: b.id, seqs: writer.appendAll(b.records) };
        } catch (err) {
          return { id: b.id, error: err instanceof Error ? err.message : 'append failed', code: (err as { code?: string }).code };
        }
      });
    }
    for (const a of answers) port.postMessage(a);
    if (closing) {
      db.close();
      port.close();
    }
  };
  port.on('message', (batch: AppendBatch | 'close') => {
    if (batch === 'close') closing = true;
    else waiting.push(batch);
    if (waiting.length === 1 || (closing && waiting.length === 0)) setImmediate(commit);
  });
}
