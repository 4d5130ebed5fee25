/**
 * The PostgreSQL backend's tables. Keys and folder paths are `COLLATE "C"` so that ordering and
 * range comparisons are byte order (code point order for UTF-8) whatever the database's locale:
 * prefix ranges and the folder seek in list-sql.ts depend on it.
 */
import { invalid } from '../../errors/index.js';

/** OpenBao's default is `openbao_kv_store`; ours carries our name. */
export const DEFAULT_TABLE = 'sealtrail_kv_store';
/** The HA lock (one row) and the nodes' heartbeats live beside the data. */
export const HA_LOCK_TABLE = 'sealtrail_ha_locks';
export const HA_NODES_TABLE = 'sealtrail_ha_nodes';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** `table` or `schema.table`, each part a plain identifier, quoted for SQL. */
export function quoteTable(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw invalid('storage "postgresql": table must be a plain identifier (letters, digits, _) or schema.table', 'invalid_storage_config');
  }
  return parts.map((p) => `"${p}"`).join('.');
}

export function kvSchema(table: string): string[] {
  const t = quoteTable(table);
  const index = quoteTable(`${table.split('.').pop()}_parent_idx`).replace(/^.*\./, '');
  return [
    `CREATE TABLE IF NOT EXISTS ${t} (
       key text COLLATE "C" PRIMARY KEY,
       parent_path text COLLATE "C" NOT NULL,
       value bytea NOT NULL)`,
    // Leaves of a folder are one range of this index; subfolders are found by seeking through it.
    `CREATE INDEX IF NOT EXISTS ${index} ON ${t} (parent_path, key)`,
  ];
}

export function haSchema(): string[] {
  return [
    // One row, always present, so a takeover is an UPDATE of it (never a racing INSERT) and a
    // fenced write can lock it. '-infinity' is "nobody holds the lock".
    `CREATE TABLE IF NOT EXISTS ${HA_LOCK_TABLE} (
       name text PRIMARY KEY,
       holder_id text NOT NULL,
       holder_api_addr text NOT NULL,
       acquired_at timestamptz NOT NULL,
       expires_at timestamptz NOT NULL)`,
    `INSERT INTO ${HA_LOCK_TABLE} (name, holder_id, holder_api_addr, acquired_at, expires_at)
       VALUES ('active', '', '', '-infinity', '-infinity') ON CONFLICT (name) DO NOTHING`,
    `CREATE TABLE IF NOT EXISTS ${HA_NODES_TABLE} (
       node_id text PRIMARY KEY,
       api_addr text NOT NULL,
       last_echo timestamptz NOT NULL)`,
  ];
}

/** The folder a key lives in: everything up to and including its last `/` ("" at the top). */
export function parentOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}
