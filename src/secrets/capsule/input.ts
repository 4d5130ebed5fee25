/** Small field parsers shared by the capsule paths; messages name the field, never its value. */
import { invalid, type ErrorCode } from '../../errors/index.js';
import { JsonNumber } from '../../lib/json-number.js';
import { isJsonObject, setOwn } from '../../lib/safe-object.js';
import { commaParts, MAX_LIST_ITEMS } from '../../lib/comma-list.js';

export const isObject = isJsonObject;

export function requiredString(data: Record<string, unknown>, field: string, code: ErrorCode = 'capsule_invalid_request'): string {
  const v = data[field];
  if (typeof v !== 'string' || v === '') throw invalid(`missing or invalid "${field}": expected a non-empty string`, code);
  return v;
}

export function optionalString(data: Record<string, unknown>, field: string): string | undefined {
  const v = data[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw invalid(`invalid "${field}": expected a string`, 'capsule_invalid_request');
  return v;
}

/** Context names: what can sit in one path segment and read well in a log. */
export function contextName(raw: string | undefined, kind: string): string {
  if (!raw || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/.test(raw)) {
    throw invalid(`invalid ${kind} name: use letters, digits, "_", "-" and "." (at most 128)`, 'capsule_invalid_name');
  }
  return raw;
}

/** A list field that may also arrive as a comma-separated string (CLI and query strings). */
export function stringList(data: Record<string, unknown>, field: string): string[] | undefined {
  const v = data[field];
  if (v === undefined || v === null) return undefined;
  const items = typeof v === 'string' ? commaParts(v) : Array.isArray(v) && v.every((s) => typeof s === 'string') ? v as string[] : null;
  if (items === null) throw invalid(`invalid "${field}": expected a list of strings`, 'capsule_invalid_request');
  if (items === undefined || items.length > MAX_LIST_ITEMS) throw invalid(`invalid "${field}": more than ${MAX_LIST_ITEMS} items`, 'capsule_invalid_request');
  return typeof v === 'string' ? items.map((s) => s.trim()).filter((s) => s !== '') : items;
}

/*
 * A location and read parameters are the caller's words, repeated in every access record the
 * request makes (and its journal records): bounded so that a record stays small, whatever the
 * request's own size, and a page of the log stays readable.
 */
export const MAX_LOCATION_CHARS = 1024;
export const MAX_READ_PARAMETERS = 64;
export const MAX_READ_PARAMETER_KEY_CHARS = 128;
export const MAX_READ_PARAMETER_VALUE_CHARS = 1024;

/** `location`: where the capsule is stored or read, as the caller says; null when absent. */
export function locationField(data: Record<string, unknown>): string | null {
  const v = data.location;
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string' || v.length > MAX_LOCATION_CHARS) {
    throw invalid(`"location" must be a string of at most ${MAX_LOCATION_CHARS} characters`, 'capsule_invalid_request');
  }
  return v;
}

const badParameters = () => invalid(
  `"parameters" must be an object of at most ${MAX_READ_PARAMETERS} strings, each key at most ${MAX_READ_PARAMETER_KEY_CHARS} characters and each value at most ${MAX_READ_PARAMETER_VALUE_CHARS}`,
  'capsule_invalid_request',
);

/** Read parameters: a flat map of strings (numbers and booleans are kept as their text). */
export function parameterMap(raw: unknown): Record<string, string> {
  if (raw === undefined || raw === null) return {};
  if (!isObject(raw)) throw invalid('invalid "parameters": expected an object of strings', 'capsule_invalid_request');
  const entries = Object.entries(raw);
  if (entries.length > MAX_READ_PARAMETERS) throw badParameters();
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (k.length > MAX_READ_PARAMETER_KEY_CHARS) throw badParameters();
    const text = typeof v === 'string' ? v
      : typeof v === 'number' || typeof v === 'boolean' ? String(v)
        : v instanceof JsonNumber ? v.text
          : undefined;
    if (text === undefined) throw invalid(`invalid read parameter "${k}": expected a string`, 'capsule_invalid_request');
    if (text.length > MAX_READ_PARAMETER_VALUE_CHARS) throw badParameters();
    setOwn(out, k, text);
  }
  return out;
}
