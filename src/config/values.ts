/** Reading raw configuration values (parsed HCL or JSON): each check throws a ConfigError naming the value. */
import { ConfigError } from './config-error.js';

export type Obj = Record<string, unknown>;

export function asList(v: unknown): Obj[] {
  const list = Array.isArray(v) ? v : [v];
  for (const x of list) if (!isObj(x)) throw new ConfigError('a configuration block must be an object');
  return list as Obj[];
}

export function asObj(v: unknown, name: string): Obj {
  if (!isObj(v)) throw new ConfigError(`${name} must be a block`);
  return v;
}

export function allowKeys(body: Obj, allowed: string[], where: string): void {
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key)) throw new ConfigError(`unknown key "${key}" in ${where}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`);
  }
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') throw new ConfigError(`${name} must be a non-empty string`);
  return v;
}

export function bool(v: unknown, name: string): boolean {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ConfigError(`${name} must be true or false`);
}


/**
 * A whole number as HCL or JSON writes it (a number, or a string of digits); NaN for anything else
 * — a bool, a fraction, a number too large to be exact — so the caller's range check refuses it
 * (`Number(true)` is 1, which made `max_connections = true` one connection).
 */
export function wholeNumber(v: unknown): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]{1,16}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isSafeInteger(n) ? n : NaN;
}
