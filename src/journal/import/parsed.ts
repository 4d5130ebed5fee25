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
/** Texts shorter than this nest at most this deep, which JSON.parse handles in a few megabytes. */
const DEPTH_SCAN_FROM = 65_536;

/** The object a text holds, or the problem (JSON.parse's message echoes input, so it is dropped). */
export function parseObject(text: string, terminated = true): JsonObject | Problem {
  // Only a long text can nest deep enough to cost much (each level takes a character): the scan
  // is left out for the usual lines, so an import's speed stays JSON.parse's.
  if (text.length > DEPTH_SCAN_FROM && nestsDeeper(text, MAX_RECORD_DEPTH)) return new Problem(`nested deeper than ${MAX_RECORD_DEPTH} levels`);
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
