/**
 * AWS's error messages repeat what the caller sent (an alias name, a key id, an enum value), while
 * the audit entry of the same request HMACs every string it carries (and the token's accessor,
 * which an AccessDenied message names in the principal of a plain Vault token). So a KMS error
 * gets a separate audit text: each of those values that occurs in the message is replaced by
 * `***`, longest first. A value shorter than MIN_REPLACED_LENGTH would take ordinary letters with
 * it; if one occurs, the audit text is the error's type alone.
 */
import { SealtrailError } from '../errors/index.js';

export const REDACTED = '***';
const MIN_REPLACED_LENGTH = 4;
/** A request has at most a few dozen strings; the walk stops well past that. */
const MAX_VALUES = 1000;

function collect(value: unknown, out: Set<string>, depth: number): void {
  if (out.size >= MAX_VALUES || depth > 8) return;
  if (typeof value === 'string') {
    if (value !== '') out.add(value);
  } else if (Array.isArray(value)) {
    for (const v of value) collect(v, out, depth + 1);
  } else if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) collect(v, out, depth + 1);
  }
}

/** `err` with an audit text free of the request's string values (unchanged when none occurs). */
export function withAuditSafeText(err: unknown, request: Readonly<Record<string, unknown>>, alsoHashed: readonly string[] = []): unknown {
  if (!(err instanceof SealtrailError) || err.message === '') return err;
  const values = new Set<string>();
  collect(request, values, 0);
  collect(alsoHashed, values, 0);
  let text = err.message;
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    if (!text.includes(value)) continue;
    if (value.length < MIN_REPLACED_LENGTH) return err.withAuditMessage(err.code);
    text = text.split(value).join(REDACTED);
  }
  return text === err.message ? err : err.withAuditMessage(text);
}
