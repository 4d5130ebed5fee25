/**
 * The event store's retention sweep, in bounded steps on the thread that answers requests. That
 * thread also commits every append to the event log, so a DELETE on another connection would
 * make appends wait for SQLite's write lock, synchronously, for as long as it held it: the sweep
 * stays here, each step one short transaction, and the event loop runs between steps.
 *
 * Events and their resource types go oldest first, STEP_ROWS events a step: the rows a step
 * removes sit together in every index they touch (seqs and UUIDv7 event ids grow with time, and
 * each attribute index is (value, time) over a few values). Resource names go in their own key
 * order (name, time_ms, seq), where a name's expired rows begin its range: in time order, every
 * step would touch a page of every name's range, and each page would be written to the WAL once
 * per step rather than once per sweep. A step ends after STEP_ROWS rows or STEP_MS, whichever
 * comes first, so thousands of names with nothing expired cannot make one step long either.
 *
 * Events go first: a name row whose event is gone is never seen (lookups join the two), so a
 * sweep that stops part-way (a crash, a close) leaves nothing a lookup shows that was not there
 * before it; the next sweep removes the rest.
 *
 * Each step writes megabytes to the write-ahead log; the checkpoint that copies them into the
 * database file runs on a thread of its own (checkpointer.ts) after each step, while this thread
 * answers requests, instead of inside the commit of whichever step filled the log.
 */
import { performance } from 'node:perf_hooks';
import { setImmediate as breathe } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import type { WalCheckpointer } from './checkpointer.js';
import { WAL_CHECKPOINT_PAGES } from './schema.js';

/** Rows a step removes at most (at most ~15 ms of CPU on a store of a million events). */
export const STEP_ROWS = 1000;
/** How long a step of resource names goes on looking for expired rows. */
const STEP_MS = 10;

export interface RetentionSweep {
  /**
   * Removes every event older than `cutoffMs`, with its resource rows, in steps; resolves with
   * how many events, once none is left. Stops early (resolving with what it removed) if the
   * database is closed.
   */
  sweep(cutoffMs: number): Promise<number>;
}

type NameKey = [time: number, seq: number];

export interface RetentionSweepOptions {
  /** Starts a checkpoint thread for one sweep (a file database; none for ':memory:'). */
  checkpointer?: () => WalCheckpointer;
}

export function createRetentionSweep(db: Database.Database, opts: RetentionSweepOptions = {}): RetentionSweep {
  // The highest seq so far outlives its event, so a reopened store never reuses it (ORDER BY ...
  // LIMIT 1 reads the rowid's last entry; MAX() in a subquery would scan the table).
  const keepSeqFloor = db.prepare(
    `INSERT INTO event_seq_floor (id, seq) SELECT 1, seq FROM (SELECT seq FROM events ORDER BY seq DESC LIMIT 1) WHERE true
     ON CONFLICT (id) DO UPDATE SET seq = MAX(seq, excluded.seq)`,
  );
  // The time of the STEP_ROWS-th oldest expired event: a step removes everything up to it.
  const eventsThrough = db.prepare<[number, number], number>('SELECT time_ms FROM events INDEXED BY events_by_time WHERE time_ms < ? ORDER BY time_ms LIMIT 1 OFFSET ?').pluck();
  const deleteTypes = db.prepare<[number]>('DELETE FROM event_resource_types INDEXED BY event_resource_types_by_time WHERE time_ms <= ?');
  const deleteEvents = db.prepare<[number]>('DELETE FROM events INDEXED BY events_by_time WHERE time_ms <= ?');
  const firstName = db.prepare<[], string>('SELECT name FROM event_resource_names ORDER BY name LIMIT 1').pluck();
  const nameAfter = db.prepare<[string], string>('SELECT name FROM event_resource_names WHERE name > ? ORDER BY name LIMIT 1').pluck();
  const nextName = (after: string | null): string | undefined => (after === null ? firstName.get() : nameAfter.get(after));
  const nameThrough = db.prepare<[string, number, number], NameKey>(
    'SELECT time_ms, seq FROM event_resource_names WHERE name = ? AND time_ms < ? ORDER BY time_ms, seq LIMIT 1 OFFSET ?',
  ).raw();
  const deleteName = db.prepare<[string, number]>('DELETE FROM event_resource_names WHERE name = ? AND time_ms < ?');
  const deleteNameThrough = db.prepare<[string, number, number]>('DELETE FROM event_resource_names WHERE name = ? AND (time_ms, seq) <= (?, ?)');

  /** One step of events: how many it removed, and whether expired events are left. */
  const eventsStep = db.transaction((cutoffMs: number): { removed: number; more: boolean } => {
    const through = eventsThrough.get(cutoffMs, STEP_ROWS - 1);
    const last = through ?? cutoffMs - 1;
    keepSeqFloor.run();
    deleteTypes.run(last);
    return { removed: deleteEvents.run(last).changes, more: through !== undefined };
  });

  /**
   * One step of resource names, from the first name after `after` (null: from the first name);
   * where the next step starts, or undefined once every name is done.
   */
  const namesStep = db.transaction((cutoffMs: number, after: string | null): { after: string | null } | undefined => {
    const started = performance.now();
    let rows = 0;
    for (let name = nextName(after); name !== undefined; name = nextName(after)) {
      const through = nameThrough.get(name, cutoffMs, STEP_ROWS - rows - 1);
      // More than the step has room for: up to that row now, the rest of this name next step.
      if (through) {
        deleteNameThrough.run(name, through[0], through[1]);
        return { after };
      }
      rows += deleteName.run(name, cutoffMs).changes;
      after = name;
      if (performance.now() - started >= STEP_MS) return { after };
    }
    return undefined;
  });

  return {
    async sweep(cutoffMs) {
      let checkpoints: WalCheckpointer | undefined;
      let started = false;
      const automatic = (on: boolean) => { if (db.open) db.pragma(`wal_autocheckpoint = ${on ? WAL_CHECKPOINT_PAGES : 0}`); };
      /**
       * Between steps: the log copied by the checkpoint thread (or, if it fails, by the next
       * commits), started once a second step follows: a sweep of one step needs no thread.
       */
      const between = async () => {
        await breathe();
        if (!started && db.open) {
          started = true;
          checkpoints = opts.checkpointer?.();
          if (checkpoints) automatic(false);
        }
        if (!checkpoints || !db.open) return;
        try {
          await checkpoints.checkpoint();
        } catch {
          automatic(true);
          void checkpoints.close();
          checkpoints = undefined;
        }
      };
      let removed = 0;
      try {
        for (let more = true; more && db.open;) {
          const step = eventsStep(cutoffMs);
          removed += step.removed;
          more = step.more;
          if (more) await between();
        }
        await breathe();
        for (let at = db.open ? namesStep(cutoffMs, null) : undefined; at !== undefined;) {
          await between();
          at = db.open ? namesStep(cutoffMs, at.after) : undefined;
        }
      } finally {
        if (checkpoints) {
          automatic(true);
          await checkpoints.close();
        }
      }
      return removed;
    },
  };
}
