/**
 * The Nitro attestation document: the COSE_Sign1 payload, a CBOR map whose fields and limits are
 * those of AWS's "Verifying the root of trust" guide:
 *   module_id   text, non-empty
 *   digest      "SHA384"
 *   timestamp   uint, ms since the epoch
 *   pcrs        map uint (0..31) → bstr of 32/48/64 bytes (48 for SHA384), 1..32 entries
 *   certificate bstr DER, 1..1024 bytes
 *   cabundle    [bstr DER (1..1024 bytes)], root first; at least one, and here at most 8:
 *               AWS's has 4, and each one costs a signature check before the root is reached
 *   public_key  bstr 1..1024 or null/absent
 *   user_data   bstr 0..512 or null/absent
 *   nonce       bstr 0..512 or null/absent
 */
import { decodeEvidence } from './cbor.js';

export interface NitroDocument {
  moduleId: string;
  digest: 'SHA384';
  timestamp: number;
  /** PCR index → value, in index order. */
  pcrs: Map<number, Uint8Array>;
  certificate: Uint8Array;
  /** As in the document: root first, the leaf's issuer last. */
  cabundle: Uint8Array[];
  publicKey: Uint8Array | null;
  userData: Uint8Array | null;
  nonce: Uint8Array | null;
}

export type DocumentParseResult =
  | { ok: true; value: NitroDocument }
  | { ok: false; code: 'malformed' | 'unsupported_algorithm'; message: string };

const PCR_LENGTH = 48;
const MAX_PCRS = 32;
const MAX_CABUNDLE = 8;

class FieldError extends Error {}

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

function bytesField(map: Map<unknown, unknown>, name: string, min: number, max: number): Uint8Array {
  const v = map.get(name);
  if (!isBytes(v) || v.length < min || v.length > max) throw new FieldError(`${name} must be a byte string of ${min}..${max} bytes`);
  return v;
}

function optionalBytesField(map: Map<unknown, unknown>, name: string, min: number, max: number): Uint8Array | null {
  const v = map.get(name);
  if (v === undefined || v === null) return null;
  return bytesField(map, name, min, max);
}

function parsePcrs(value: unknown): Map<number, Uint8Array> {
  if (!(value instanceof Map) || value.size < 1 || value.size > MAX_PCRS) throw new FieldError(`pcrs must be a map of 1..${MAX_PCRS} entries`);
  const pcrs = new Map<number, Uint8Array>();
  for (const [k, v] of value as Map<unknown, unknown>) {
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 0 || k >= MAX_PCRS) throw new FieldError('pcrs keys must be integers 0..31');
    if (!isBytes(v) || v.length !== PCR_LENGTH) throw new FieldError(`pcrs values must be ${PCR_LENGTH}-byte strings (SHA384)`);
    pcrs.set(k, v);
  }
  return new Map([...pcrs].sort(([a], [b]) => a - b));
}

function parseTimestamp(value: unknown): number {
  const n = typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n <= 0) throw new FieldError('timestamp must be a positive integer (ms)');
  return n;
}

/** Decodes and validates the payload map. Bad input yields a result, never an exception. */
export function parseNitroDocument(payload: Uint8Array): DocumentParseResult {
  let map: unknown;
  try {
    map = decodeEvidence(payload);
  } catch {
    return { ok: false, code: 'malformed', message: 'attestation document payload is not valid CBOR' };
  }
  if (!(map instanceof Map)) return { ok: false, code: 'malformed', message: 'attestation document payload is not a CBOR map' };
  const m = map as Map<unknown, unknown>;
  try {
    const moduleId = m.get('module_id');
    if (typeof moduleId !== 'string' || moduleId === '') throw new FieldError('module_id must be a non-empty text string');
    const digest = m.get('digest');
    if (typeof digest !== 'string') throw new FieldError('digest must be a text string');
    if (digest !== 'SHA384') return { ok: false, code: 'unsupported_algorithm', message: 'digest must be SHA384' };
    const cabundle = m.get('cabundle');
    if (!Array.isArray(cabundle) || cabundle.length < 1 || cabundle.length > MAX_CABUNDLE) throw new FieldError(`cabundle must be an array of 1..${MAX_CABUNDLE} certificates`);
    for (const c of cabundle) if (!isBytes(c) || c.length < 1 || c.length > 1024) throw new FieldError('cabundle entries must be byte strings of 1..1024 bytes');
    return {
      ok: true,
      value: {
        moduleId,
        digest,
        timestamp: parseTimestamp(m.get('timestamp')),
        pcrs: parsePcrs(m.get('pcrs')),
        certificate: bytesField(m, 'certificate', 1, 1024),
        cabundle: cabundle as Uint8Array[],
        publicKey: optionalBytesField(m, 'public_key', 1, 1024),
        userData: optionalBytesField(m, 'user_data', 0, 512),
        nonce: optionalBytesField(m, 'nonce', 0, 512),
      },
    };
  } catch (err) {
    if (err instanceof FieldError) return { ok: false, code: 'malformed', message: `attestation document: ${err.message}` };
    throw err;
  }
}
