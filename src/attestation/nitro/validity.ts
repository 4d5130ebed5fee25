/** Certificate validity windows in ms (node's X509Certificate gives them as text on Node 20). */
import type { X509Certificate } from 'node:crypto';

export interface Validity {
  notBefore: number;
  notAfter: number;
}

const memo = new WeakMap<X509Certificate, Validity | null>();

/** `validFrom`/`validTo` ("Oct 28 13:28:05 2019 GMT") in ms; undefined when they cannot be read. */
export function certificateValidity(cert: X509Certificate): Validity | undefined {
  let v = memo.get(cert);
  if (v === undefined) {
    const parsed = { notBefore: Date.parse(cert.validFrom), notAfter: Date.parse(cert.validTo) };
    v = Number.isNaN(parsed.notBefore) || Number.isNaN(parsed.notAfter) ? null : parsed;
    memo.set(cert, v);
  }
  return v ?? undefined;
}

/** 'ok', or which side of the window `now` falls on, or 'unreadable' for a garbled date. */
export function validityAt(cert: X509Certificate, now: number): 'ok' | 'expired' | 'not_yet_valid' | 'unreadable' {
  const v = certificateValidity(cert);
  if (!v) return 'unreadable';
  if (now < v.notBefore) return 'not_yet_valid';
  if (now > v.notAfter) return 'expired';
  return 'ok';
}
