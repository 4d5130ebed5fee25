/** The result of one DCAP check: a value, or the failure code and message the verifier returns. */
import type { VerifyFailureCode } from '../types.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; code: VerifyFailureCode; message: string };

export const success = <T>(value: T): Outcome<T> => ({ ok: true, value });
export const failure = <T = never>(code: VerifyFailureCode, message: string): Outcome<T> => ({ ok: false, code, message });

/** Strict hex (even length, hex digits only) → bytes, or undefined. */
export function hexBytes(text: string): Buffer | undefined {
  return /^(?:[0-9a-fA-F]{2})*$/.test(text) ? Buffer.from(text, 'hex') : undefined;
}
