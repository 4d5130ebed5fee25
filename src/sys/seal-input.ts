/** Request values the seal endpoints share (sys/unseal, sys/init, sys/rekey). */
import { invalid } from '../errors/index.js';

/** An unseal key share as Vault's API takes it: hex, or standard base64. */
export function decodeKeyShare(text: string): Uint8Array {
  if (/^[0-9a-fA-F]+$/.test(text) && text.length % 2 === 0) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return Buffer.from(text, 'base64');
  throw invalid("'key' must be a valid hex or base64 string");
}

/** A share count or threshold: a positive integer, as a number or its decimal text. */
export function positiveInt(data: Record<string, unknown>, name: string): number {
  const v = data[name];
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw invalid(`${name} must be a positive integer`);
  return n;
}

/**
 * Which of `names` the request sets to something: Vault's CLI sends the options it was not given
 * empty (null, "", [], false, 0), and those ask for nothing.
 */
export function fieldsSet(data: Record<string, unknown>, names: readonly string[]): string[] {
  return names.filter((name) => {
    const v = data[name];
    return v !== undefined && v !== null && v !== '' && v !== false && v !== 0 && v !== 'false' && v !== '0' && !(Array.isArray(v) && v.length === 0);
  });
}
