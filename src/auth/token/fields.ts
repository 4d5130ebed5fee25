/**
 * Request-field decoding with Vault's weak typing (mapstructure.WeakDecode): booleans and numbers
 * may arrive as strings, lists as comma-separated strings. Bad values are 400s naming the field.
 */
import { invalid } from '../../errors/index.js';
import { parseGoBool } from '../../lib/go-bool.js';
import { parseDurationSeconds } from '../../lib/time.js';
import { JsonNumber, exactSafeInteger } from '../../lib/json-number.js';
import { isJsonObject, setOwn } from '../../lib/safe-object.js';
import { commaParts, MAX_LIST_ITEMS } from '../../lib/comma-list.js';

type Data = Readonly<Record<string, unknown>>;

export function stringField(data: Data, key: string): string {
  const v = data[key];
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof JsonNumber) return v.text;
  throw invalid(`"${key}" must be a string`, 'invalid_field');
}

export function boolField(data: Data, key: string): boolean | undefined {
  const v = data[key];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (v === 1) return true;
  if (v === 0) return false;
  // A string as Vault's field parser reads one (Go's ParseBool): `True`, `t`, `1`, ...
  const parsed = parseGoBool(v);
  if (parsed !== undefined) return parsed;
  throw invalid(`"${key}" must be a boolean`, 'invalid_field');
}

export function intField(data: Data, key: string): number {
  const v = data[key];
  if (v === undefined || v === null || v === '') return 0;
  const n = typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : v instanceof JsonNumber ? exactSafeInteger(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw invalid(`"${key}" must be an integer`, 'invalid_field');
  return n;
}

/** Seconds; 0 when absent. Accepts 3600, "3600", "1h". */
export function durationField(data: Data, key: string): number {
  const v = data[key];
  if (v === undefined || v === null || v === '') return 0;
  if (typeof v === 'number' && v < 0) throw invalid(`"${key}" must be positive`, 'invalid_field');
  const seconds = parseDurationSeconds(v);
  if (seconds === undefined) throw invalid(`"${key}" value could not be parsed`, 'invalid_field');
  return seconds;
}

export function stringListField(data: Data, key: string): string[] {
  const v = data[key];
  if (v === undefined || v === null || v === '') return [];
  const tooMany = () => invalid(`"${key}" holds more than ${MAX_LIST_ITEMS} items`, 'invalid_field');
  if (typeof v === 'string') {
    const parts = commaParts(v);
    if (!parts) throw tooMany();
    return parts.map((s) => s.trim()).filter((s) => s !== '');
  }
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw invalid(`"${key}" must be a list of strings`, 'invalid_field');
  if (v.length > MAX_LIST_ITEMS) throw tooMany();
  return v as string[];
}

export function stringMapField(data: Data, key: string): Record<string, string> {
  const v = data[key];
  if (v === undefined || v === null) return {};
  if (!isJsonObject(v)) throw invalid(`"${key}" must be a map of strings`, 'invalid_field');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw invalid(`"${key}" must be a map of strings`, 'invalid_field');
    setOwn(out, k, val);
  }
  return out;
}
