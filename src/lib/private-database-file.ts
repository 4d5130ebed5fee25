/**
 * A SQLite database file only its owner may read: created 0600 before SQLite opens it (so it is
 * never briefly readable by others), and set back to 0600 when it exists with a laxer mode (a
 * restore, an administrator's chmod). SQLite gives new -wal and -shm files the database file's
 * mode; existing ones are set back too.
 *
 * An existing file is never opened here. SQLite's locks are POSIX record locks, which belong to
 * the process and are all released when the process closes any descriptor of the file: opening
 * and closing a database another connection of this process (another thread's) holds would drop
 * that connection's shared lock, and the next other process to close the database would take
 * itself for the last one, checkpoint and delete the -wal file the connection still writes to.
 */
import { chmodSync, closeSync, constants, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirectorySync } from './make-dir.js';

export function privateDatabaseFileSync(path: string): void {
  makeDirectorySync(dirname(path), 0o700);
  try {
    closeSync(openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  chmodSync(path, 0o600);
  for (const companion of [`${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(companion, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
