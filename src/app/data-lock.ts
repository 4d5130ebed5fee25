/**
 * One server per data directory. Two servers on one storage would each serve from their own caches
 * (a secret written through one read stale through the other, a token revoked through one still
 * valid on the other, a wrapping token unwrapped twice), and two sharing a directory would mix
 * their `events.db`, ledger files and journal spool. So a server holds, while it runs, an exclusive
 * lock in each directory its databases live in — the directory as named, and the one the database
 * file really is in, symbolic links resolved — and a second server on any of them refuses to start.
 *
 * The lock is SQLite's own: the lock file (`.sealtrail.lock`) is a SQLite database held in
 * exclusive locking mode, i.e. a POSIX advisory lock the kernel releases when the process ends
 * however it ends (kill -9 included), so no stale lock is ever left to clean up; a second
 * connection in the same process is refused as well. What it cannot see: a hard link to a
 * database from another directory, or the lock file deleted by hand while its server runs.
 */
import { closeSync, constants, fchmodSync, fstatSync, openSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, type ServerConfig } from '../config/index.js';
import { makeDirectorySync } from '../lib/make-dir.js';

export interface DataLock {
  release(): void;
}

export const LOCK_FILE = '.sealtrail.lock';

/**
 * `path` in its directory's real name, links and `..` resolved by the kernel, in order (textual
 * normalisation would read `link/..` as the directory holding `link`, while opening the file goes
 * where the link points): what the lock is taken on is what every file is then opened under.
 * The directory is created when missing, as the server would.
 */
export function inRealDirectory(path: string): string {
  const dir = dirname(path);
  makeDirectorySync(dir, 0o700);
  return join(realpathSync.native(dir), basename(path));
}

/** The configuration with its storage's and journal's paths in their real directories (inRealDirectory). */
export function withRealDirectories(config: ServerConfig): ServerConfig {
  const real = (path: string) => (path === ':memory:' ? path : inRealDirectory(path));
  return {
    ...config,
    storage: config.storage.type === 'sqlite' ? { ...config.storage, path: real(config.storage.path) } : config.storage,
    journal: config.journal.path !== undefined ? { ...config.journal, path: real(config.journal.path) } : config.journal,
  };
}

/**
 * The directories a database at `path` (in its real directory) involves: that one (its
 * neighbours, events.db and the ledger, live there) and the one its file really is in (a symbolic
 * link to another server's database names that server's directory).
 */
export function directoriesOf(path: string): string[] {
  const dirs = new Set([dirname(path)]);
  try {
    dirs.add(dirname(realpathSync.native(path)));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return [...dirs];
}

/**
 * A directory any user may write is refused, sticky or not: there others could rename or remove
 * the server's files, or put their own under the names it opens next (a journal, a ledger tile).
 */
function refuseSharedDirectory(dir: string): void {
  if (process.platform === 'win32') return;
  const mode = statSync(dir).mode;
  if ((mode & 0o002) === 0) return;
  const shown = (mode & 0o7777).toString(8).padStart(4, '0');
  throw new ConfigError(`the data directory ${dir} is writable by any user (mode ${shown}): other users could replace the server's files there; run: chmod o-w ${dir}`);
}

/**
 * Takes the lock of `dir` or throws, naming the directory, when another server holds it or the
 * directory is writable by any user.
 */
export function lockDirectory(dir: string): DataLock {
  refuseSharedDirectory(dir);
  const path = join(dir, LOCK_FILE);
  // Never through a symbolic link: the file is made (or found) as a regular file, mode 0600.
  const notAFile = () => new ConfigError(`the lock file ${path} is not a regular file: remove it`);
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDWR | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o600);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new ConfigError(`the lock file ${path} is a symbolic link: remove it`);
    if (code === 'EISDIR') throw notAFile();
    throw err;
  }
  try {
    if (!fstatSync(fd).isFile()) throw notAFile();
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // An exclusive transaction takes the lock at once; in exclusive locking mode it is kept after the commit.
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new ConfigError(`another Sealtrail server is using ${dir} (it holds ${path}): stop it, or give this server a directory of its own`);
    }
    throw err;
  }
  return { release: () => { if (db.open) db.close(); } };
}
