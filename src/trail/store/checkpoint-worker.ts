/**
 * The event store's checkpoint thread (checkpointer.ts): its own connection to the event
 * database, one PASSIVE checkpoint per message — it copies what the write-ahead log holds into
 * the database file and syncs it, never waiting for (nor holding up) the connection that writes.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { CheckpointReply } from './checkpointer.js';

const port = parentPort!;
const db = new Database((workerData as { path: string }).path, { fileMustExist: true });

port.postMessage({ kind: 'ready' } satisfies CheckpointReply);
port.on('message', () => {
  let reply: CheckpointReply;
  try {
    const [row] = db.pragma('wal_checkpoint(PASSIVE)') as { busy: number; log: number; checkpointed: number }[];
    reply = { kind: 'done', log: row.log, checkpointed: row.checkpointed };
  } catch (err) {
    reply = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
