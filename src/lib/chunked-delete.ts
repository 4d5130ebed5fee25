/**
 * Large deletions in small transactions, with the event loop let through between them. A
 * retention sweep removes an hour's worth of old rows at a time: at a few hundred requests a second
 * that is a million rows and more, each with a dozen index entries, and one DELETE of them held the
 * thread that answers requests for tens of seconds. In chunks of CHUNK_ROWS (a few milliseconds
 * each), requests are answered between chunks, and a crash part-way leaves the rest for the next
 * sweep.
 */
import { setImmediate as breathe } from 'node:timers/promises';

/** Rows per chunk. */
export const CHUNK_ROWS = 1000;

/**
 * Calls `chunk(limit)` — which deletes at most `limit` rows and returns how many it did — until a
 * chunk deletes fewer than `limit`; returns the total.
 */
export async function deleteInChunks(chunk: (limit: number) => number, limit = CHUNK_ROWS): Promise<number> {
  let total = 0;
  for (;;) {
    const n = chunk(limit);
    total += n;
    if (n < limit) return total;
    await breathe();
  }
}
