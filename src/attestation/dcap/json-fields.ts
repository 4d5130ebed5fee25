/**
 * Typed reads of the signed collateral JSON (TCB info, QE identity). Intel signed it, but it is
 * still read defensively: a missing or mistyped field throws, and the caller reports
 * `collateral_invalid`.
 */
import type { TcbStatus } from '../types.js';

export type Json = Record<string, unknown>;

export const TCB_STATUSES: readonly TcbStatus[] = [
  'UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded',
  'OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked',
];

/** Collections in collateral are small (tens of levels); more is not Intel's. */
const MAX_ARRAY = 256;

export function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return value as Json;
}

export function array(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value) || value.length > MAX_ARRAY) throw new Error(`${what} is not an array of at most ${MAX_ARRAY}`);
  return value;
}

export function string(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a string`);
  return value;
}

export function uint(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new Error(`${what} is not a non-negative integer`);
  return value;
}

export function hexField(value: unknown, what: string, bytes: number): Buffer {
  const text = string(value, what);
  if (!new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(text)) throw new Error(`${what} is not ${bytes} bytes of hex`);
  return Buffer.from(text, 'hex');
}

export function status(value: unknown, what: string): TcbStatus {
  const text = string(value, what);
  if (!(TCB_STATUSES as readonly string[]).includes(text)) throw new Error(`${what} is not a known TCB status`);
  return text as TcbStatus;
}

export function advisories(value: unknown, what: string): string[] {
  if (value === undefined) return [];
  return array(value, what).map((id) => string(id, what));
}

/** (value & mask) == expected, byte by byte (all the same length). */
export function maskedEqual(value: Uint8Array, mask: Uint8Array, expected: Uint8Array): boolean {
  if (value.length !== mask.length || mask.length !== expected.length) return false;
  return value.every((b, i) => (b & mask[i]) === (expected[i] & mask[i]));
}
