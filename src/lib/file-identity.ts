/**
 * Whether a path still names the file a process opened. A file deleted, or replaced by a rename
 * over its name, while it is open keeps taking writes: they succeed, land in an inode no name
 * reaches, and are gone when the descriptor is closed. A writer that acknowledges what it writes
 * compares the path's device and inode with the opened file's after the write (one stat(2), no
 * read of the file), and refuses or repairs when they differ.
 */
import { fstatSync, statSync } from 'node:fs';

/** What became of an opened file's name. */
export type FileFate = 'deleted' | 'replaced';

export interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

/** The identity of the file open as `fd`. */
export function identityOfFd(fd: number): FileIdentity {
  const { dev, ino } = fstatSync(fd);
  return { dev, ino };
}

/** The identity of the file at `path` (it must exist). */
export function identityOfPath(path: string): FileIdentity {
  const { dev, ino } = statSync(path);
  return { dev, ino };
}

/** Undefined while `path` names the `opened` file; otherwise whether the name is gone or names another file. */
export function fateOf(path: string, opened: FileIdentity): FileFate | undefined {
  let now;
  try {
    now = statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    // A file where a parent directory was: the name is gone as surely.
    if ((err as NodeJS.ErrnoException).code !== 'ENOTDIR') throw err;
  }
  if (now && now.ino === opened.ino && now.dev === opened.dev) return undefined;
  return now ? 'replaced' : 'deleted';
}

export interface FileGuardOptions {
  /** The file the path must name (default: the one it names now). */
  opened?: FileIdentity;
  /**
   * Skip the stat when the last one, which found the file, is younger than this (default 0: every
   * call stats). For a hot path: a stat(2) costs about what a small write(2) does.
   */
  intervalMs?: number;
  /** The clock intervalMs is measured on (default performance.now). */
  now?: () => number;
}

/**
 * A check bound to the file at `path` now (or to `opened`): it throws `refuse(fate)` once the path
 * no longer names that file. For a database whose writes must land in the file the next start
 * opens. Once it has thrown, every call stats again until the path names the file again.
 */
export function fileGuard(path: string, refuse: (fate: FileFate) => Error, options: FileGuardOptions = {}): () => void {
  const opened = options.opened ?? identityOfPath(path);
  const intervalMs = options.intervalMs ?? 0;
  const now = options.now ?? (() => performance.now());
  let checkedAt = -Infinity;
  return () => {
    if (intervalMs > 0 && now() - checkedAt < intervalMs) return;
    const fate = fateOf(path, opened);
    if (fate) {
      checkedAt = -Infinity;
      throw refuse(fate);
    }
    if (intervalMs > 0) checkedAt = now();
  };
}
