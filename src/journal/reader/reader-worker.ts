/**
 * The journal's reader thread (reader.ts): its own read-only connection to the journal database,
 * one query per message, answered with the rows (integers as BigInt) or the database's error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Statement } from 'better-sqlite3';
import { openJournalReadConnection } from '../schema.js';
import { rowsWithin, type ReaderReply, type ReaderRequest } from './reader.js';
import { LruMap } from '../../lib/lru.js';

const port = parentPort!;
const db = openJournalReadConnection((workerData as { path: string }).path);
// Queries differ by their filters' shape only: a few dozen statements serve every search.
const statements = new LruMap<string, Statement<unknown[]>>(64);

port.postMessage({ kind: 'ready' } satisfies ReaderReply);
port.on('message', ({ sql, params, maxChars }: ReaderRequest) => {
  let reply: ReaderReply;
  try {
    let statement = statements.get(sql);
    if (!statement) {
      statement = db.prepare<unknown[]>(sql).safeIntegers(true);
      statements.set(sql, statement);
    }
    // Stepped through, so rows past the budget are never read (a break ends the statement).
    reply = { kind: 'rows', rows: rowsWithin(statement.iterate(...params) as Iterable<Record<string, unknown>>, maxChars) };
  } catch (err) {
    reply = { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply);
});
