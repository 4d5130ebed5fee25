/**
 * Log record ids: 32 hex characters that sort in time order — 48-bit milliseconds since the epoch,
 * a 32-bit counter, then 48 random bits (so ids from two generators never collide). Within one
 * generator ids are strictly increasing even within one millisecond or if the clock steps back:
 * the time part never goes below the last one used and the counter breaks ties.
 */
import type { Clock } from '../../../lib/clock.js';
import { random } from '../crypto.js';

export interface LogIdGenerator {
  next(): string;
}

export function logIdGenerator(clock: Clock): LogIdGenerator {
  let lastMs = -1;
  let counter = 0;
  return {
    next() {
      const now = clock.now();
      if (now > lastMs) {
        lastMs = now;
        counter = 0;
      } else counter++;
      if (counter > 0xffffffff) {
        // 4 billion ids in one millisecond: borrow the next millisecond rather than wrap.
        lastMs++;
        counter = 0;
      }
      return lastMs.toString(16).padStart(12, '0') + counter.toString(16).padStart(8, '0') + random(6).toString('hex');
    },
  };
}

/** The millisecond an id was issued at. */
export function idTimeMs(id: string): number {
  return parseInt(id.slice(0, 12), 16);
}

export const LOG_ID_RE = /^[0-9a-f]{32}$/;
