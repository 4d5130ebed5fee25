/**
 * Request field parsing with Vault's weak typing: query strings arrive as strings, JSON bodies as
 * numbers/booleans, and Vault accepts both. A number kept as its literal text (a JsonNumber) is
 * taken when it denotes a safe integer exactly (`1.0`, `1e3`) and refused otherwise, never
 * rounded. Every rejection is a SealtrailError 'invalid' (400)
 * whose message names the field but never echoes a value.
 */
import { invalid } from '../../errors/index.js';
import { JsonNumber, exactSafeInteger } from '../../lib/json-number.js';
import { isJsonObject } from '../../lib/safe-object.js';
import { parseDurationSeconds } from '../../lib/time.js';
import { commaParts, MAX_LIST_ITEMS } from '../../lib/comma-list.js';

/** A secret's path: non-empty, relative, no empty, `.` or `..` segments, no trailing slash. */
export function secretPath(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw invalid('missing path', 'kv_missing_path');
  for (const segment of raw.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw invalid('invalid path: empty, "." and ".." segments are not allowed', 'kv_invalid_path');
    }
  }
  return raw;
}

/** A folder to list: "" (the mount root) or a secret path; returned with its trailing `/`. */
export function folderPath(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '';
  return secretPath(raw.endsWith('/') ? raw.slice(0, -1) : raw) + '/';
}

/**
 * Absent and JSON null both mean "not provided", as in Vault's field parsing. A kept number that is
 * an exact safe integer is that integer; any other stays a JsonNumber, which no field accepts.
 */
function provided(data: Record<string, unknown>, name: string): unknown {
  const value = data[name];
  return value === null ? undefined : value instanceof JsonNumber ? (exactSafeInteger(value) ?? value) : value;
}

function toInt(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^[+-]?\d{1,15}$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

export function intField(data: Record<string, unknown>, name: string): number | undefined {
  const value = provided(data, name);
  if (value === undefined) return undefined;
  const n = toInt(value);
  if (n === undefined) throw invalid(`error converting input for field "${name}": expected an integer`, 'kv_invalid_field');
  return n;
}

/** Non-negative integer fields (max_versions). */
export function countField(data: Record<string, unknown>, name: string): number | undefined {
  const n = intField(data, name);
  if (n !== undefined && n < 0) throw invalid(`"${name}" cannot be negative`, 'kv_invalid_field');
  return n;
}

const TRUE_STRINGS = new Set(['1', 't', 'T', 'true', 'TRUE', 'True']);
const FALSE_STRINGS = new Set(['0', 'f', 'F', 'false', 'FALSE', 'False']);

/** Booleans as Go's strconv.ParseBool reads them, plus JSON booleans and 0/1. */
export function boolField(data: Record<string, unknown>, name: string): boolean | undefined {
  const value = provided(data, name);
  if (value === undefined || typeof value === 'boolean') return value;
  if (value === 0 || value === 1) return value === 1;
  if (typeof value === 'string') {
    if (TRUE_STRINGS.has(value)) return true;
    if (FALSE_STRINGS.has(value)) return false;
  }
  throw invalid(`error converting input for field "${name}": expected a boolean`, 'kv_invalid_field');
}

/**
 * A duration in seconds (`3600`, `"3600"`, `"1h"`). `signed` allows a leading minus, which the
 * mount config uses to disable delete_version_after.
 */
export function durationField(data: Record<string, unknown>, name: string, signed: boolean): number | undefined {
  const value = provided(data, name);
  if (value === undefined) return undefined;
  let negative = false;
  let rest = value;
  if (typeof value === 'number' && value < 0) [negative, rest] = [true, -value];
  if (typeof value === 'string' && value.trim().startsWith('-')) [negative, rest] = [true, value.trim().slice(1)];
  const seconds = parseDurationSeconds(rest);
  if (seconds === undefined) throw invalid(`error converting input for field "${name}": expected a duration`, 'kv_invalid_field');
  if (negative && seconds !== 0 && !signed) throw invalid(`"${name}" cannot be negative`, 'kv_invalid_field');
  return negative && seconds !== 0 ? -seconds : seconds;
}

/** Vault's comma-int-slice: `[1, 2]`, `["1", "2"]`, `"1,2"` or `3`. */
export function versionsField(data: Record<string, unknown>): number[] {
  const value = provided(data, 'versions');
  if (value === undefined) return [];
  const listed = Array.isArray(value) ? value : typeof value === 'string' ? commaParts(value) : [value];
  if (listed === undefined || listed.length > MAX_LIST_ITEMS) throw invalid(`"versions" holds more than ${MAX_LIST_ITEMS} versions`, 'kv_invalid_field');
  const items = typeof value === 'string' ? (listed as string[]).filter((s) => s.trim() !== '') : listed;
  return items.map((item) => {
    const n = toInt(typeof item === 'string' ? item.trim() : item instanceof JsonNumber ? exactSafeInteger(item) : item);
    if (n === undefined) throw invalid('error converting input for field "versions": expected a list of integers', 'kv_invalid_field');
    return n;
  });
}

/** A JSON object (not an array, not null), or undefined when absent. */
export function objectField(data: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const value = provided(data, name);
  if (value === undefined) return undefined;
  if (!isJsonObject(value)) {
    throw invalid(`error converting input for field "${name}": expected a JSON object`, 'kv_invalid_field');
  }
  return value as Record<string, unknown>;
}
