/**
 * The event store's two stages. An append commits one row to `event_log`, a table without
 * secondary indexes (one insert at the end of one B-tree): that commit is what acknowledges the
 * event. Indexing moves logged rows, oldest first and in large transactions, into `events` and
 * its resource tables, where LookupEvents and trail delivery read them; a move and the deletion
 * of what it moved are one transaction, so after any crash each event is in exactly one table.
 *
 * Seqs are handed out here, in append order, and kept when a row moves: the seq an append
 * returns is the seq the event has in `events`.
 */
import type Database from 'better-sqlite3';
import type { IndexColumns } from './index-columns.js';

export interface LoggedEvent {
  timeMs: number;
  cols: IndexColumns;
  sealed: Buffer;
}

export interface EventLog {
  /** The highest seq handed out so far (0 when none). */
  lastSeq(): number;
  /** Inserts a row into the log, in the caller's transaction; returns its seq. */
  insert(event: LoggedEvent): number;
  /**
   * Inserts a row straight into the indexed tables, in the caller's transaction; returns its seq.
   * Only once the log is empty (bulk loads): indexed seqs must stay a prefix of all seqs.
   */
  insertIndexed(event: LoggedEvent): number;
  /** How many rows wait in the log (recounted after a failed transaction: resync). */
  pending(): number;
  resync(): void;
  /**
   * Moves up to `maxRows` logged rows with seq ≤ `throughSeq` into the indexed tables, in one
   * transaction. Returns how many moved.
   */
  indexChunk(throughSeq: number, maxRows: number): number;
}

export function openEventLog(db: Database.Database): EventLog {
  const insertLog = db.prepare<[number, string, number, string, string, string, string, string, string, string, Buffer]>(
    `INSERT INTO event_log (seq, event_id, time_ms, event_name, read_only, username, event_source, access_key_id, resource_names, resource_types, record)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertEvent = db.prepare<[number, string, number, string, string, string, string, string, Buffer]>(
    'INSERT INTO events (seq, event_id, time_ms, event_name, read_only, username, event_source, access_key_id, record) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insertName = db.prepare<[string, number, number]>('INSERT OR IGNORE INTO event_resource_names (name, time_ms, seq) VALUES (?, ?, ?)');
  const insertType = db.prepare<[string, number, number]>('INSERT OR IGNORE INTO event_resource_types (type, time_ms, seq) VALUES (?, ?, ?)');
  const maxIndexed = db.prepare<[], number | null>('SELECT MAX(seq) FROM events').pluck();
  const maxLogged = db.prepare<[], number | null>('SELECT MAX(seq) FROM event_log').pluck();
  const seqFloor = db.prepare<[], number | null>('SELECT seq FROM event_seq_floor WHERE id = 1').pluck();
  const countLogged = db.prepare<[], number>('SELECT COUNT(*) FROM event_log').pluck();
  // The last seq of the next chunk: the maxRows-th logged row, or the newest when fewer wait.
  const chunkEnd = db.prepare<[number, number], number | null>(
    'SELECT MAX(seq) FROM (SELECT seq FROM event_log WHERE seq <= ? ORDER BY seq LIMIT ?)',
  ).pluck();
  // An event id already indexed is not indexed again (the log has no index to refuse it on append):
  // the second copy is dropped with the move, where a unique-key failure would stop indexing for good.
  const moveEvents = db.prepare<[number]>(
    `INSERT OR IGNORE INTO events (seq, event_id, time_ms, event_name, read_only, username, event_source, access_key_id, record)
     SELECT seq, event_id, time_ms, event_name, read_only, username, event_source, access_key_id, record FROM event_log WHERE seq <= ? ORDER BY seq`,
  );
  // Only for the rows that moved (a dropped copy's seq names no event).
  const moveNames = db.prepare<[number]>(
    'INSERT OR IGNORE INTO event_resource_names (name, time_ms, seq) SELECT j.value, l.time_ms, l.seq FROM event_log l JOIN events e ON e.seq = l.seq, json_each(l.resource_names) j WHERE l.seq <= ?',
  );
  const moveTypes = db.prepare<[number]>(
    'INSERT OR IGNORE INTO event_resource_types (type, time_ms, seq) SELECT j.value, l.time_ms, l.seq FROM event_log l JOIN events e ON e.seq = l.seq, json_each(l.resource_types) j WHERE l.seq <= ?',
  );
  const deleteMoved = db.prepare<[number]>('DELETE FROM event_log WHERE seq <= ?');

  // A failed transaction leaves its seqs unused: gaps are harmless, reuse is not.
  let last = Math.max(maxIndexed.get() ?? 0, maxLogged.get() ?? 0, seqFloor.get() ?? 0);
  let waiting = countLogged.get() ?? 0;

  const move = db.transaction((through: number) => {
    moveEvents.run(through);
    moveNames.run(through);
    moveTypes.run(through);
    return deleteMoved.run(through).changes;
  });

  return {
    lastSeq: () => last,
    insert(e) {
      const seq = ++last;
      insertLog.run(seq, e.cols.eventId, e.timeMs, e.cols.eventName, e.cols.readOnly, e.cols.username, e.cols.eventSource, e.cols.accessKeyId,
        JSON.stringify(e.cols.resourceNames), JSON.stringify(e.cols.resourceTypes), e.sealed);
      waiting++;
      return seq;
    },
    insertIndexed(e) {
      const seq = ++last;
      insertEvent.run(seq, e.cols.eventId, e.timeMs, e.cols.eventName, e.cols.readOnly, e.cols.username, e.cols.eventSource, e.cols.accessKeyId, e.sealed);
      for (const name of e.cols.resourceNames) insertName.run(name, e.timeMs, seq);
      for (const type of e.cols.resourceTypes) insertType.run(type, e.timeMs, seq);
      return seq;
    },
    pending: () => waiting,
    resync() {
      waiting = countLogged.get() ?? 0;
    },
    indexChunk(throughSeq, maxRows) {
      if (waiting === 0) return 0;
      const end = chunkEnd.get(throughSeq, maxRows);
      if (end === null || end === undefined) {
        if (throughSeq >= last) waiting = 0;
        return 0;
      }
      const moved = move(end);
      waiting = Math.max(0, waiting - moved);
      return moved;
    },
  };
}
