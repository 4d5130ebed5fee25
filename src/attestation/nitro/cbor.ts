/**
 * CBOR decoding of attestation evidence, which arrives before any authentication. cbor2's defaults
 * suit trusted input, not this, so every decode goes through here:
 * - Tags are left undecoded (`ignoreGlobalTags`) and refused. cbor2's global tag decoders run on
 *   untrusted bytes otherwise: tags 2/3 build a BigInt byte by byte, quadratic in its length (a
 *   128 KiB bignum held the event loop for 5 s), and others build Dates, RegExps, URLs or
 *   `JSON.parse` their contents. A Nitro document and its protected header contain no tags; only
 *   COSE_Sign1's own tag 18 may wrap the whole envelope, so a tag is accepted at the top only.
 * - Map keys must be integers or text strings, checked for duplicates here. cbor2's
 *   `rejectDuplicateKeys` compares keys by the hex of their encoding, which for a key holding a
 *   nested map includes every level below it: work grows with size times depth.
 * - Nesting is capped at 8 levels (the documents use 3): cbor2 decodes through one generator per
 *   level, so each item costs time proportional to its depth.
 * - Only the encodings AWS's Nitro Secure Module writes: definite lengths (`rejectStreaming`),
 *   every integer, length and tag number in its shortest form (`requirePreferred`), no floats
 *   (`rejectFloats`: a whole-number float would otherwise pass as an integer timestamp), and of
 *   the simple values only false, true and null (`rejectUndefined`, `rejectSimple`). A document
 *   that differs from AWS's in any of these was not written by one.
 */
import { decode, Tag, type DecodeOptions } from 'cbor2';

/** cbor2 counts an array's elements two levels down, so this allows about 4 arrays deep. */
const MAX_DEPTH = 8;

function scalarKeyedMap(entries: ReadonlyArray<readonly [unknown, unknown, unknown]>): Map<unknown, unknown> {
  const map = new Map<unknown, unknown>();
  for (const [key, value] of entries) {
    if (typeof key !== 'string' && typeof key !== 'number' && typeof key !== 'bigint') throw new Error('CBOR map keys must be integers or text strings');
    if (map.has(key)) throw new Error('duplicate CBOR map key');
    map.set(key, value);
  }
  return map;
}

const OPTIONS: DecodeOptions = {
  ignoreGlobalTags: true, createObject: scalarKeyedMap, maxDepth: MAX_DEPTH,
  rejectStreaming: true, requirePreferred: true, rejectFloats: true, rejectUndefined: true, rejectSimple: true,
};

function refuseTags(value: unknown): void {
  if (value instanceof Tag) throw new Error(`unexpected CBOR tag ${String(value.tag)}`);
  if (Array.isArray(value)) for (const v of value) refuseTags(v);
  else if (value instanceof Map) for (const v of value.values()) refuseTags(v);
}

/**
 * One CBOR item; maps decode as Maps. A tag is returned as a cbor2 `Tag` at the top only, its
 * contents undecoded. Throws on anything else this module refuses and on malformed CBOR.
 */
export function decodeEvidence(bytes: Uint8Array): unknown {
  const top = decode(bytes, OPTIONS);
  refuseTags(top instanceof Tag ? top.contents : top);
  return top;
}
