/**
 * The import's checkpointer thread: after each batch the writer commits, it copies the
 * write-ahead log into the database (a PASSIVE checkpoint on a connection of its own), so the
 * syncs a checkpoint waits for are not the writer's. A checkpoint never blocks a commit and never
 * loses one: what it has not copied stays in the log, and the writer's own automatic checkpoint
 * (IMPORT_WAL_CHECKPOINT_PAGES) still bounds the log if this thread falls behind or fails.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from '../schema.js';
import type { CheckpointRequest } from './import-writer-messages.js';

function open(path: string): Database.Database {
  const db = new Database(path, { fileMustExist: true });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}

const port = parentPort;
if (port) {
  const { path } = workerData as { path: string };
  let db: Database.Database | undefined;
  port.on('message', (request: CheckpointRequest) => {
    if ('close' in request) {
      db?.close();
      port.close();
      return;
    }
    try {
      // Opened once the writer has committed: the database and its WAL mode exist by then.
      db ??= open(path);
      db.pragma('wal_checkpoint(PASSIVE)');
    } catch {
      // Nothing is lost: the log keeps what was not copied, and the writer's checkpoint copies it.
    }
  });
}
