/** Reads a stopped or running server's SQLite storage from outside, as an operator's copy would be read. */
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** How many storage entries under `prefix` the server with data directory `dir` holds (keys are not encrypted, values are). */
export function storedKeys(dir: string, prefix: string): number {
  const db = new Database(join(dir, 'sealtrail.db'), { readonly: true });
  try {
    return (db.prepare('SELECT COUNT(*) AS n FROM kv WHERE key LIKE ? ESCAPE \'\\\'').get(`${prefix.replace(/[\\%_]/g, '\\$&')}%`) as { n: number }).n;
  } finally {
    db.close();
  }
}
