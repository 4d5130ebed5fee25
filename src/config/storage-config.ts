/**
 * `storage "postgresql" { connection_url, table, max_parallel, ha_enabled, ha_lock_ttl }` with
 * OpenBao's names and defaults, and `api_addr`. The connection URL may hold a password: no message
 * here ever repeats it (nor any part of a value that failed to parse).
 */
import { ConfigError } from './config-error.js';
import { parseDurationMs } from '../lib/time.js';
import type { PostgresStorageConfig } from './types.js';
import { allowKeys, bool, str, wholeNumber, type Obj } from './values.js';

export const DEFAULT_PG_TABLE = 'sealtrail_kv_store';
export const DEFAULT_PG_MAX_PARALLEL = 128;
export const DEFAULT_HA_LOCK_TTL_MS = 15_000;
/** Below this, a renewal (every ttl/3) has too little time to reach the database. */
export const MIN_HA_LOCK_TTL_MS = 3_000;
export const MAX_HA_LOCK_TTL_MS = 600_000;

const PLAIN_TABLE = /^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/;

export function postgresStorage(body: Obj, envUrl: string | undefined): PostgresStorageConfig {
  allowKeys(body, ['connection_url', 'table', 'max_parallel', 'ha_enabled', 'ha_lock_ttl'], 'storage "postgresql"');
  // As OpenBao's BAO_PG_CONNECTION_URL: the environment wins, so the password can stay out of the file.
  const url = envUrl !== undefined && envUrl !== '' ? envUrl : body.connection_url;
  if (url === undefined) throw new ConfigError('storage "postgresql": connection_url is required (or set SEALTRAIL_PG_CONNECTION_URL)');
  const connectionUrl = str(url, 'storage.connection_url');
  let parsed: URL | undefined;
  try {
    parsed = new URL(connectionUrl);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !['postgres:', 'postgresql:'].includes(parsed.protocol)) {
    throw new ConfigError('storage "postgresql": connection_url must be a URL such as "postgres://user:password@host:5432/database"');
  }
  const cfg: PostgresStorageConfig = {
    type: 'postgresql', connectionUrl, table: DEFAULT_PG_TABLE, maxParallel: DEFAULT_PG_MAX_PARALLEL, haEnabled: false, haLockTtlMs: DEFAULT_HA_LOCK_TTL_MS,
  };
  if (body.table !== undefined) {
    const table = str(body.table, 'storage.table');
    if (!PLAIN_TABLE.test(table)) throw new ConfigError('storage.table must be a plain identifier (letters, digits, _; at most 63) or schema.table');
    cfg.table = table;
  }
  if (body.max_parallel !== undefined) {
    const n = wholeNumber(body.max_parallel);
    if (!Number.isInteger(n) || n < 1 || n > 1024) throw new ConfigError('storage.max_parallel must be an integer from 1 to 1024');
    cfg.maxParallel = n;
  }
  if (body.ha_enabled !== undefined) cfg.haEnabled = bool(body.ha_enabled, 'storage.ha_enabled');
  if (body.ha_lock_ttl !== undefined) {
    const ms = parseDurationMs(body.ha_lock_ttl);
    if (ms === undefined || ms < MIN_HA_LOCK_TTL_MS || ms > MAX_HA_LOCK_TTL_MS) throw new ConfigError('storage.ha_lock_ttl must be a duration from 3s to 10m such as "15s"');
    cfg.haLockTtlMs = Math.round(ms);
  }
  return cfg;
}

/** An http(s) origin with a host: what a redirect's Location starts with. */
export function apiAddress(v: unknown): string {
  const text = str(v, 'api_addr');
  let u: URL | undefined;
  try {
    u = new URL(text);
  } catch {
    u = undefined;
  }
  const plainOrigin = u !== undefined && (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== ''
    && u.username === '' && u.password === '' && (u.pathname === '/' || u.pathname === '') && u.search === '' && u.hash === '';
  if (!plainOrigin) throw new ConfigError('api_addr must be an http or https address with a host and no path, such as "https://node1.example.com:8200"');
  return u!.origin;
}
