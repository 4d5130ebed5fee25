/**
 * Out of file descriptors, the listener cannot take a connection: libuv accepts it and closes it
 * at once to shed the load, so the client sees its connection closed unanswered (no request
 * exists, nothing is recorded), and none of it reaches the server's code; files cannot be opened
 * either. This watch counts the process's descriptors every few seconds and tells the log when
 * they are (nearly) all taken — once an episode, not once a connection — and when they are free
 * again. Threads other than the main one (the journal's indexer, SQLite, libuv's pool) open and
 * close files meanwhile, so a count within a few of the limit is an episode too.
 */
import { readdirSync, readFileSync } from 'node:fs';

export const DESCRIPTOR_WATCH_MS = 2000;
/** Free descriptors below which the process counts as out of them, and twice which it is out of the episode. */
export const DESCRIPTOR_MARGIN = 8;

export interface DescriptorWatchLog {
  error(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface DescriptorWatch {
  stop(): void;
}

export interface DescriptorWatchOptions {
  intervalMs?: number;
  /** The soft open files limit (default: /proc/self/limits); undefined: unknown, only a failed count tells. */
  limit?: number;
  /** Descriptors open now; Infinity: none could be had to count them; undefined: cannot tell here. */
  inUse?: () => number | undefined;
}

export function watchDescriptors(log: DescriptorWatchLog, opts: DescriptorWatchOptions = {}): DescriptorWatch {
  const { intervalMs = DESCRIPTOR_WATCH_MS, limit = openFilesLimit(), inUse = descriptorsInUse } = opts;
  let exhausted = false;
  const check = () => {
    const used = inUse();
    if (used === undefined) return;
    const free = limit === undefined ? (used === Infinity ? 0 : Infinity) : limit - used;
    if (!exhausted && free < DESCRIPTOR_MARGIN) {
      exhausted = true;
      log.error({ limit }, `out of file descriptors (open files limit ${limit ?? 'unknown'}): new connections are closed unanswered and files cannot be opened; `
        + 'raise the limit (ulimit -n, systemd LimitNOFILE) above the listener\'s max_connections plus the server\'s own files');
    } else if (exhausted && free >= 2 * DESCRIPTOR_MARGIN) {
      exhausted = false;
      log.info({ limit, inUse: used }, 'file descriptors are available again: connections are accepted');
    }
  };
  const timer = setInterval(check, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Counted in /proc (Linux; the listing's own descriptor left out). */
function descriptorsInUse(): number | undefined {
  try {
    return readdirSync('/proc/self/fd').length - 1;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'EMFILE' || code === 'ENFILE' ? Infinity : undefined;
  }
}

/** The soft open files limit, where /proc tells it (Linux). */
function openFilesLimit(): number | undefined {
  try {
    const soft = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1];
    return soft === undefined ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}
