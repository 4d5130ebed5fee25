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

export interface NameCheckOptions {
  /**
   * Skip the stat when the last one, which found the file, is younger than this (default 0: every
   * call stats). For a hot path: a stat(2) costs about what a small write(2) does.
   */
  intervalMs?: number;
  /** The clock intervalMs is measured on (default performance.now). */
  now?: () => number;
}

/**
 * fateOf for one opened file, at most once per `intervalMs` while the file is found (`fresh`: now).
 * Once the name is found gone or another file's, every call stats again, until it names the file.
 */
export function nameCheck(path: string, opened: FileIdentity, options: NameCheckOptions = {}): (fresh?: boolean) => FileFate | undefined {
  const intervalMs = options.intervalMs ?? 0;
  const now = options.now ?? (() => performance.now());
  let checkedAt = intervalMs > 0 ? now() : -Infinity;
  return (fresh = false) => {
    const age = now() - checkedAt;
    // A clock set back counts as stale.
    if (!fresh && age >= 0 && age < intervalMs) return undefined;
    const fate = fateOf(path, opened);
    checkedAt = fate === undefined && intervalMs > 0 ? now() : -Infinity;
    return fate;
  };
}

/**
 * A check bound to the file at `path` when it is made (or to `opened`): it throws `refuse(fate)`
 * when the path names another file or none. For a database whose writes must land in the file the
 * next start opens.
 */
export function fileGuard(path: string, refuse: (fate: FileFate) => Error, options: NameCheckOptions & { opened?: FileIdentity } = {}): () => void {
  const check = nameCheck(path, options.opened ?? identityOfPath(path), options);
  return () => {
    const fate = check();
    if (fate) throw refuse(fate);
  };
}
