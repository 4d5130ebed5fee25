/**
 * One input record read: either a journal record (without its origin) or the reason it is bad.
 * A reason names what is wrong, never a value of the record: a log written with log_raw holds
 * tokens and secrets in plain text.
 */
import type { JournalAppend } from '../types.js';
import { objectOf, type JsonObject } from '../extract/values.js';
import { parseRfc3339Ns } from './time.js';
import { nestsDeeper } from '../../lib/json-depth.js';

/** A class, not a shape: a record's own fields (a `problem` key) can never pass for one. */
export class Problem {
  constructor(readonly problem: string) {}
}

export type Parsed = Omit<JournalAppend, 'origin'> | Problem;

/** How deep a record's JSON may nest: a Vault entry is a few levels, a request body's at most 500. */
export const MAX_RECORD_DEPTH = 1000;
/**
 * Texts of at most this many characters cannot nest deeper than MAX_RECORD_DEPTH: a JSON value
 * opens and closes each level with a character of its own.
 */
const DEPTH_SCAN_FROM = 2 * MAX_RECORD_DEPTH;

/**
 * Whether `text` holds more than `max` opening brackets, strings included: counted natively, a
 * bracket at a time, so the usual line (a few dozen) is never scanned character by character.
 */
function opensMoreThan(text: string, max: number): boolean {
  let opens = 0;
  for (const bracket of ['{', '[']) {
    for (let i = text.indexOf(bracket); i !== -1; i = text.indexOf(bracket, i + 1)) if (++opens > max) return true;
  }
  return false;
}

/** The object a text holds, or the problem (JSON.parse's message echoes input, so it is dropped). */
export function parseObject(text: string, terminated = true): JsonObject | Problem {
  // Every record deeper than the limit is refused, however short: JSON.parse reads 32,000 levels in
  // 64 KiB, and such a record would then break every reader that recurses (the journal's JSON output).
  if (text.length > DEPTH_SCAN_FROM && opensMoreThan(text, MAX_RECORD_DEPTH) && nestsDeeper(text, MAX_RECORD_DEPTH)) return new Problem(`nested deeper than ${MAX_RECORD_DEPTH} levels`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return new Problem(terminated ? 'not JSON' : 'truncated: no newline at the end and not JSON');
  }
  return objectOf(value) ?? new Problem('not a JSON object');
}

/** The record's time field in ns, or the problem. */
export function timeOf(obj: JsonObject, field: string): bigint | Problem {
  const value = obj[field];
  if (value === undefined) return new Problem(`missing "${field}"`);
  const ns = typeof value === 'string' ? parseRfc3339Ns(value) : undefined;
  return ns ?? new Problem(`"${field}" is not an RFC 3339 time`);
}
