/**
 * COSE_Sign1 (RFC 9052 §4.2) as AWS Nitro uses it:
 *   [protected: bstr .cbor {1: -35}, unprotected: {}, payload: bstr, signature: bstr (96 bytes r||s)]
 * usually untagged, sometimes wrapped in CBOR tag 18. Only ES384 (alg -35) is accepted: the
 * algorithm comes from the protected header, which the signature covers, never from the caller.
 */
import { verify, type KeyObject } from 'node:crypto';
import { Tag } from 'cbor2';
import { decodeEvidence } from './cbor.js';

export const COSE_SIGN1_TAG = 18;
export const COSE_ALG_ES384 = -35;
const ES384_SIGNATURE_LENGTH = 96;

export interface CoseSign1 {
  /** The protected header exactly as encoded (it is signed as these bytes). */
  protectedBytes: Uint8Array;
  payload: Uint8Array;
  signature: Uint8Array;
  alg: number;
}

export type CoseParseResult = { ok: true; value: CoseSign1 } | { ok: false; message: string };

const isBytes = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

function decodeOrUndefined(bytes: Uint8Array): unknown {
  try {
    return decodeEvidence(bytes);
  } catch {
    return undefined;
  }
}

/** Parses the envelope; checks its shape and algorithm, not its signature. */
export function parseCoseSign1(bytes: Uint8Array): CoseParseResult {
  let top = decodeOrUndefined(bytes);
  if (top instanceof Tag) {
    if (Number(top.tag) !== COSE_SIGN1_TAG) return { ok: false, message: `unexpected CBOR tag ${String(top.tag)} (COSE_Sign1 is 18)` };
    top = top.contents;
  }
  if (!Array.isArray(top) || top.length !== 4) return { ok: false, message: 'not a COSE_Sign1 structure (a 4-element CBOR array)' };
  const [protectedBytes, unprotected, payload, signature] = top as unknown[];
  if (!isBytes(protectedBytes) || !isBytes(payload) || !isBytes(signature)) {
    return { ok: false, message: 'COSE_Sign1 protected header, payload and signature must be byte strings' };
  }
  if (!(unprotected instanceof Map)) return { ok: false, message: 'COSE_Sign1 unprotected header must be a map' };
  const header = protectedBytes.length === 0 ? new Map() : decodeOrUndefined(protectedBytes);
  if (!(header instanceof Map)) return { ok: false, message: 'COSE_Sign1 protected header is not a CBOR map' };
  const alg = header.get(1);
  if (typeof alg !== 'number') return { ok: false, message: 'COSE_Sign1 protected header has no algorithm' };
  return { ok: true, value: { protectedBytes, payload, signature, alg } };
}

/**
 * A CBOR head (RFC 8949 §3): major type and argument, in the shortest form. Enough to frame the
 * byte strings, arrays and integers of fixed-layout structures (Sig_structure, Nitro documents)
 * without a general encoder's per-call cost. Arguments above 2^53 are not needed here.
 */
export function cborHead(major: number, argument: number): Uint8Array {
  const m = major << 5;
  if (argument < 24) return Uint8Array.of(m | argument);
  if (argument < 0x100) return Uint8Array.of(m | 24, argument);
  if (argument < 0x10000) return Uint8Array.of(m | 25, argument >> 8, argument & 0xff);
  if (argument < 0x1_0000_0000) return Uint8Array.of(m | 26, (argument >>> 24) & 0xff, (argument >> 16) & 0xff, (argument >> 8) & 0xff, argument & 0xff);
  const out = new Uint8Array(9);
  out[0] = m | 27;
  new DataView(out.buffer).setBigUint64(1, BigInt(argument));
  return out;
}

const head = cborHead;

const CONTEXT = new TextEncoder().encode('Signature1');

/** `["Signature1", protected, external_aad = h'', payload]` in deterministic CBOR: the signed bytes. */
export function sigStructure(protectedBytes: Uint8Array, payload: Uint8Array): Uint8Array {
  return Buffer.concat([
    head(4, 4),
    head(3, CONTEXT.length), CONTEXT,
    head(2, protectedBytes.length), protectedBytes,
    head(2, 0),
    head(2, payload.length), payload,
  ]);
}

/** True when the ES384 signature verifies under `key` (an EC P-384 public key). */
export function verifyCoseSign1(cose: CoseSign1, key: KeyObject): boolean {
  if (cose.alg !== COSE_ALG_ES384 || cose.signature.length !== ES384_SIGNATURE_LENGTH) return false;
  try {
    return verify('sha384', sigStructure(cose.protectedBytes, cose.payload), { key, dsaEncoding: 'ieee-p1363' }, cose.signature);
  } catch {
    return false;
  }
}
