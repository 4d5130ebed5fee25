/**
 * Embedded SQLite storage (better-sqlite3): one `kv` table keyed by path, WAL journal, statements
 * prepared once. better-sqlite3 is synchronous; the async interface keeps the door open for
 * networked backends, and errors thrown inside surface as rejections.
 */
import Database from 'better-sqlite3';
import { privateDatabaseFileSync } from '../../lib/private-database-file.js';
import { invalid, SealtrailError } from '../../errors/index.js';
import type { PhysicalStorage, StorageOp } from '../types.js';
import { listChildren, type KeyScan } from './list-children.js';
import { fileGuard } from '../../lib/file-identity.js';

export interface SqliteStorageOptions {
  /** Database file; its parent directory is created (0700) when missing, the file is 0600. */
  path: string;
}

export function createSqliteStorage(opts: SqliteStorageOptions): PhysicalStorage {
  const db = openDatabase(opts.path);
  const stillAtPath = fileIdentity(opts.path);
  const stmt = {
    get: db.prepare<[string], Buffer>('SELECT value FROM kv WHERE key = ?').pluck(),
    put: db.prepare<[string, Uint8Array]>(
      'INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ),
    putIfAbsent: db.prepare<[string, Uint8Array]>('INSERT INTO kv (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING'),
    delete: db.prepare<[string]>('DELETE FROM kv WHERE key = ?'),
    keysFrom: db.prepare<[string], string>('SELECT key FROM kv WHERE key >= ? ORDER BY key').pluck(),
    keysBetween: db.prepare<[string, string], string>(
      'SELECT key FROM kv WHERE key >= ? AND key < ? ORDER BY key',
    ).pluck(),
  };

  const apply = (op: StorageOp): void => {
    checkKey(op.key);
    if (op.op === 'put') {
      checkValue(op.value);
      stmt.put.run(op.key, op.value);
    } else if (op.op === 'delete') {
      stmt.delete.run(op.key);
    } else {
      throw invalid(`unknown storage operation ${JSON.stringify((op as { op: unknown }).op)}`, 'invalid_storage_op');
    }
  };
  // Ops are validated as they run, so a bad op in the middle rolls back the ones before it.
  const applyAll = db.transaction((ops: StorageOp[]) => {
    for (const op of ops) apply(op);
  });
  const putIfAbsent = db.transaction((key: string, value: Uint8Array): Buffer => {
    checkKey(key);
    checkValue(value);
    stmt.putIfAbsent.run(key, value);
    return stmt.get.get(key)!;
  });
  const scan: KeyScan = (from, until) =>
    until === undefined ? stmt.keysFrom.iterate(from) : stmt.keysBetween.iterate(from, until);

  /** Writes go only to the file at the path: see fileIdentity. Checked before and after each write. */
  const write = (run: () => void): void => {
    stillAtPath();
    run();
    stillAtPath();
  };

  return {
    async get(key) {
      checkKey(key);
      // better-sqlite3 returns a fresh Buffer per read, so the caller owns it.
      return stmt.get.get(key);
    },
    async put(key, value) {
      write(() => apply({ op: 'put', key, value }));
    },
    async delete(key) {
      write(() => apply({ op: 'delete', key }));
    },
    async putIfAbsent(key, value) {
      let stored!: Buffer;
      write(() => { stored = putIfAbsent(key, value); });
      return stored;
    },
    async list(prefix) {
      if (typeof prefix !== 'string') throw invalid('storage list prefix must be a string', 'invalid_storage_key');
      return listChildren(scan, prefix);
    },
    async transaction(ops) {
      write(() => applyAll(ops));
    },
    async close() {
      if (db.open) db.close();
    },
  };
}

function openDatabase(path: string): Database.Database {
  if (path !== ':memory:') {
    privateDatabaseFileSync(path);
  }
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.exec('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID');
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/**
 * A check that the database file is still the one at `path`. SQLite keeps writing to the file it
 * opened, so a database deleted or replaced under the running server (a cleanup script, a restore
 * over it) would take every later write as acknowledged and lose all of them, and everything
 * before, at the next start. The check refuses the write instead (500 to the client, an error in
 * the server log); reads are still served, and the process still holds the old file
 * (/proc/<pid>/fd) for the operator to copy back before stopping it. In memory: no check.
 */
function fileIdentity(path: string): () => void {
  if (path === ':memory:') return () => undefined;
  return fileGuard(path, (fate) => new SealtrailError('internal', 'storage_failed',
    `the database file ${path} was ${fate} while the server runs: writes are refused (the open file is still readable, under /proc/${process.pid}/fd)`));
}

function checkKey(key: unknown): asserts key is string {
  if (typeof key !== 'string' || key === '') throw invalid('storage key must be a non-empty string', 'invalid_storage_key');
}

function checkValue(value: unknown): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid('storage value must be bytes (Uint8Array)', 'invalid_storage_value');
}
