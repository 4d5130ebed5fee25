/**
 * One server per database file. Two servers on one data directory would each serve from their own
 * caches (a secret written through one read stale through the other, a token revoked through one
 * still valid on the other, a wrapping token unwrapped twice) and the second would cut the
 * first's journal spool. So a server holds, while it runs, an exclusive lock beside each SQLite
 * database it writes (`<database>.lock`), and a second server on the same files refuses to start.
 *
 * The lock is SQLite's own: the lock file is a SQLite database held in exclusive locking mode,
 * i.e. a POSIX advisory lock the kernel releases when the process ends however it ends (kill -9
 * included), so no stale lock is ever left to clean up; a second connection in the same process
 * is refused as well.
 */
import Database from 'better-sqlite3';
import { ConfigError } from '../config/index.js';
import { privateDatabaseFileSync } from '../lib/private-database-file.js';

export interface DataLock {
  release(): void;
}

export const lockPathOf = (databasePath: string): string => `${databasePath}.lock`;

/** Takes the lock beside `databasePath` or throws, naming the database, when another server holds it. */
export function lockDatabase(databasePath: string): DataLock {
  const path = lockPathOf(databasePath);
  privateDatabaseFileSync(path);
  const db = new Database(path, { timeout: 0 });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    // An exclusive transaction takes the lock at once; in exclusive locking mode it is kept after the commit.
    db.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_BUSY') {
      throw new ConfigError(`another Sealtrail server is using ${databasePath} (it holds ${path}): stop it, or give this server its own storage path`);
    }
    throw err;
  }
  return { release: () => { if (db.open) db.close(); } };
}
