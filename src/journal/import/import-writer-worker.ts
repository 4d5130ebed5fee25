/**
 * The import's writer thread: commits the batches the reading thread sends, in order, each in one
 * transaction that skips what the journal already holds. After a failed commit (a full disk) it
 * commits nothing more: every later batch answers the same error, so an import never leaves a
 * hole behind records it went on to add.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openJournalDatabase } from '../schema.js';
import { createJournalWriter, type JournalWriter } from '../writer.js';
import type { ImportReply, ImportRequest, WriterFailure } from './import-writer-messages.js';
import { IMPORT_WAL_CHECKPOINT_PAGES } from './limits.js';
import { unpackBatch, type PackedBatch } from './packed-batch.js';

function failureOf(err: unknown): WriterFailure {
  return { message: err instanceof Error ? err.message : String(err), code: (err as { code?: unknown }).code as string | undefined };
}

const port = parentPort;
if (port) {
  const { path } = workerData as { path: string };
  let failure: WriterFailure | undefined;
  let db: ReturnType<typeof openJournalDatabase> | undefined;
  let writer: JournalWriter | undefined;
  try {
    db = openJournalDatabase(path);
    db.pragma(`wal_autocheckpoint = ${IMPORT_WAL_CHECKPOINT_PAGES}`);
    writer = createJournalWriter(db);
  } catch (err) {
    failure = failureOf(err);
  }
  const commit = (batch: PackedBatch): ImportReply => {
    if (failure) return { failure };
    try {
      return { outcome: writer!.importRows(unpackBatch(batch)) };
    } catch (err) {
      failure = failureOf(err);
      return { failure };
    }
  };
  port.on('message', (request: ImportRequest) => {
    if ('batch' in request) {
      port.postMessage(commit(request.batch));
      return;
    }
    db?.close();
    port.close();
  });
}
