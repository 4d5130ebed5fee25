/**
 * What the audit manager persists (in the encrypted `sys/audit/` storage view):
 * - `table`: devices enabled through the API, with their salts, re-created at unseal;
 * - `config-salts`: the salts of devices declared in the configuration file, so their hashes
 *   survive restarts (the devices themselves come from the file every start).
 * Salts are HMAC keys, so they only ever live in encrypted storage.
 */
import { invalid } from '../errors/index.js';
import { getJson, putJson, type Storage } from '../storage/index.js';
import type { DeviceDefinition } from './device.js';

interface TableRecord {
  version: 1;
  devices: DeviceDefinition[];
}

export type ConfigSalts = Record<string, { type: string; salt: string }>;

export async function readTable(storage: Storage): Promise<DeviceDefinition[]> {
  return (await getJson<TableRecord>(storage, 'table'))?.devices ?? [];
}

export function writeTable(storage: Storage, devices: DeviceDefinition[]): Promise<void> {
  const record: TableRecord = { version: 1, devices: [...devices].sort((a, b) => (a.path < b.path ? -1 : 1)) };
  return putJson(storage, 'table', record);
}

export async function readConfigSalts(storage: Storage): Promise<ConfigSalts> {
  return (await getJson<ConfigSalts>(storage, 'config-salts')) ?? {};
}

export function writeConfigSalts(storage: Storage, salts: ConfigSalts): Promise<void> {
  return putJson(storage, 'config-salts', salts);
}

/** `file` → `file/`; leading slashes dropped; empty or `..` segments refused. */
export function normaliseAuditPath(path: string): string {
  const p = path.replace(/^\/+/, '');
  const trimmed = p.endsWith('/') ? p.slice(0, -1) : p;
  if (trimmed === '' || trimmed.split('/').some((seg) => seg === '' || seg === '.' || seg === '..')) {
    throw invalid('audit device path must be a non-empty path like "file" or "team/file"', 'invalid_audit_path');
  }
  return trimmed + '/';
}

/** Two mount paths overlap when one is a prefix of the other (`file/` and `file/x/`). */
export function pathsOverlap(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}
