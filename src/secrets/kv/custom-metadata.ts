/**
 * custom_metadata: user key/value strings describing a secret, version-agnostic. Parsed and
 * validated with Vault's limits and messages (64 keys, keys 1..128 bytes, values 1..512 bytes,
 * printable characters only).
 */
import { invalid } from '../../errors/index.js';
import { JsonNumber } from '../../lib/json-number.js';

const MAX_KEYS = 64;
const MAX_KEY_BYTES = 128;
const MAX_VALUE_BYTES = 512;
const PREFIX = 'custom_metadata validation failed';

/** Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]*$/u;

/**
 * Vault weakly decodes each value to a string: numbers as written (a kept number's literal text,
 * as Go's json.Number), booleans as 1/0, null as "".
 */
function weakString(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value === null) return '';
  throw invalid(`${PREFIX}: value for key ${JSON.stringify(key)} must be a string`, 'kv_invalid_custom_metadata');
}

/** go-multierror's message layout, which Vault returns verbatim. */
function multiError(messages: string[]): string {
  const head = messages.length === 1 ? '1 error occurred:' : `${messages.length} errors occurred:`;
  return `${head}\n${messages.map((m) => `\t* ${m}`).join('\n')}\n\n`;
}

function problems(entries: [string, string][]): string[] {
  if (entries.length > MAX_KEYS) {
    return [`${PREFIX}: payload must contain at most ${MAX_KEYS} keys, provided ${entries.length}`];
  }
  const out: string[] = [];
  for (const [key, value] of entries) {
    const quoted = JSON.stringify(key);
    const keyLen = Buffer.byteLength(key);
    const valueLen = Buffer.byteLength(value);
    if (keyLen === 0 || keyLen > MAX_KEY_BYTES) {
      out.push(`${PREFIX}: length of key ${quoted} is ${keyLen} but must be 0 < len(key) <= ${MAX_KEY_BYTES}`);
    }
    if (valueLen === 0 || valueLen > MAX_VALUE_BYTES) {
      out.push(`${PREFIX}: length of value for key ${quoted} is ${valueLen} but must be 0 < len(value) <= ${MAX_VALUE_BYTES}`);
    }
    if (!PRINTABLE.test(key)) out.push(`${PREFIX}: key ${quoted} contains unprintable characters`);
    if (!PRINTABLE.test(value)) out.push(`${PREFIX}: value for key ${quoted} contains unprintable characters`);
  }
  return out;
}

/** Parses and validates; returns the map with sorted keys, or undefined when it is empty. */
export function parseCustomMetadata(raw: Record<string, unknown>): Record<string, string> | undefined {
  const entries = Object.keys(raw).sort().map((key): [string, string] => [key, weakString(key, raw[key])]);
  const found = problems(entries);
  if (found.length > 0) throw invalid(multiError(found), 'kv_invalid_custom_metadata');
  return entries.length === 0 ? undefined : Object.fromEntries(entries);
}
