/**
 * Error lines that can repeat once per request: a failing disk fails every request, and a line
 * with its stack per request fills the log (and the disk under it) faster than the requests come.
 * The first line of a kind (its message, `code` and error message) is written; repeats within
 * `windowMs` are counted, and the first line of that kind after the window says how many were
 * left out (`repeated`). So an episode is told at once, and then about every `windowMs`.
 */
import { LruMap } from './lru.js';

export interface ErrorLog {
  error(obj: object, msg: string): void;
}

const WINDOW_MS = 10_000;
/** Kinds remembered at once; a kind forgotten is written again at its next repeat. */
const MAX_KINDS = 256;

function kindOf(obj: object, msg: string): string {
  const { code, err } = obj as { code?: unknown; err?: unknown };
  const errText = err instanceof Error ? `${err.name}: ${err.message}` : typeof err === 'string' ? err : '';
  return `${msg}\u0000${typeof code === 'string' ? code : ''}\u0000${errText}`;
}

export function repeatLimited(log: ErrorLog, { windowMs = WINDOW_MS, now = Date.now } = {}): ErrorLog {
  const seen = new LruMap<string, { at: number; repeated: number }>(MAX_KINDS);
  return {
    error(obj, msg) {
      const kind = kindOf(obj, msg);
      const last = seen.get(kind);
      const t = now();
      if (last && t - last.at < windowMs) {
        last.repeated++;
        return;
      }
      seen.set(kind, { at: t, repeated: 0 });
      log.error(last && last.repeated > 0 ? { ...obj, repeated: last.repeated } : obj, msg);
    },
  };
}
