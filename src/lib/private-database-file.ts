/**
 * A SQLite database file only its owner may read: created 0600 before SQLite opens it (so it is
 * never briefly readable by others), and set back to 0600 when it exists with a laxer mode (a
 * restore, an administrator's chmod). SQLite gives new -wal and -shm files the database file's
 * mode; existing ones are set back too.
 */
import { chmodSync, closeSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirectorySync } from './make-dir.js';

export function privateDatabaseFileSync(path: string): void {
  makeDirectorySync(dirname(path), 0o700);
  closeSync(openSync(path, 'a', 0o600));
  chmodSync(path, 0o600);
  for (const companion of [`${path}-wal`, `${path}-shm`]) {
    try {
      chmodSync(companion, 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
