/**
 * Evidence arrives before authentication, so decoding it must cost time linear in its size and
 * must accept nothing but the CBOR a Nitro document is made of. Each case here took seconds (or
 * was accepted) with cbor2's default decoding.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { decode, encode, Tag } from 'cbor2';
import { createDevCa, createDevEnclave, parseCoseSign1, parseNitroDocument, verifyNitroDocument } from '../../../src/attestation/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { issue, nitroDocument } from './documents.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const clock = manualClock(T0);
const ca = createDevCa({ clock });
const enclave = createDevEnclave({ ca, clock, pcrs: { 0: 'ab'.repeat(48), 8: 'cd'.repeat(48) } });
/** Far below the seconds the old decoding took on these inputs, far above what they take now. */
const FAST_MS = 1000;

function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const out = fn();
  return [out, performance.now() - start];
}

/** A CBOR head with a 4-byte argument: `major` 2 (bstr) with length n is 5a <n>, 4 (array) 9a <n>. */
const head32 = (major: number, n: number) => {
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
};
/** A CBOR bignum (tag 2) of `n` bytes of 0xff, as the probe sent it: c2 5a <n> ff… */
const bignum = (n: number) => Buffer.concat([Buffer.from([0xc2]), head32(2, n), Buffer.alloc(n, 0xff)]);

/** The dev enclave's payload map, changed by `edit`, re-encoded (unsigned: for the parser only). */
function payloadWith(edit: (m: Map<string, unknown>) => void): Uint8Array {
  const cose = parseCoseSign1(enclave.attest({ nonce: new Uint8Array(32) }));
  assert.ok(cose.ok);
  const map = decode(cose.value.payload, { preferMap: true }) as Map<string, unknown>;
  edit(map);
  return encode(map);
}

const codeOf = (r: { ok: boolean; code?: string }) => (r.ok ? 'ok' : r.code);

test('a 128 KiB bignum at the top, in the protected header or in the payload is refused at once', () => {
  const big = bignum(128 * 1024);
  // cbor2 encodes a Node Buffer as an object: a plain Uint8Array is a byte string.
  const envelope = (protectedBytes: Uint8Array, payload: Uint8Array) => encode([new Uint8Array(protectedBytes), new Map(), payload, new Uint8Array(96)]);
  const notCbor = 'attestation document payload is not valid CBOR';
  const cases: Array<[string, (b: Uint8Array) => { ok: boolean; message?: string }, Uint8Array, string]> = [
    ['top', parseCoseSign1, big, 'unexpected CBOR tag 2 (COSE_Sign1 is 18)'],
    ['tag 18 around it', parseCoseSign1, Buffer.concat([Buffer.from([0xd2]), big]), 'not a COSE_Sign1 structure (a 4-element CBOR array)'],
    ['protected header', parseCoseSign1, envelope(big, new Uint8Array(1)), 'COSE_Sign1 protected header is not a CBOR map'],
    ['payload value', parseNitroDocument, payloadWith((m) => m.set('user_data', new Tag(2, new Uint8Array(128 * 1024).fill(0xff)))), notCbor],
    ['payload key', parseNitroDocument, Buffer.concat([Buffer.from([0xa1]), big, Buffer.from([0x00])]), notCbor],
  ];
  for (const [where, parse, bytes, message] of cases) {
    const [result, ms] = timed(() => parse(bytes));
    assert.equal(result.ok ? 'ok' : result.message, message, where);
    assert.ok(ms < FAST_MS, `${where}: ${ms.toFixed(0)} ms`);
  }
});

test('no tag is decoded into something else: dates, typed arrays, regexps and JSON in a document are refused', () => {
  const tagged: Array<[string, string, unknown]> = [
    ['uint8 typed array (tag 64) as user_data', 'user_data', new Tag(64, new Uint8Array(8))],
    ['embedded CBOR (tag 24) as public_key', 'public_key', new Tag(24, new Uint8Array([0x40]))],
    ['epoch date (tag 1) as timestamp', 'timestamp', new Tag(1, 1_700_000_000)],
    ['regexp (tag 35) in an extra field', 'extra', new Tag(35, '(a+)+$')],
    ['JSON (tag 262) in an extra field', 'extra', new Tag(262, '{"a":1}')],
    ['bignum (tag 2) in a cabundle entry', 'cabundle', [new Tag(2, new Uint8Array(4))]],
  ];
  for (const [name, field, value] of tagged) {
    const result = parseNitroDocument(payloadWith((m) => m.set(field, value)));
    assert.equal(codeOf(result), 'malformed', name);
  }
  // COSE_Sign1's own tag still wraps the envelope, once and at the top only.
  const doc = enclave.attest({ nonce: new Uint8Array(32) });
  assert.equal(parseCoseSign1(Buffer.concat([Buffer.from([0xd2]), doc])).ok, true);
  assert.equal(parseCoseSign1(Buffer.concat([Buffer.from([0xd2, 0xd2]), doc])).ok, false);
});

test('map keys nested in map keys and deep nesting are refused at once', () => {
  // {{{…{h'…': 0}…: 0}: 0}: 0}: every key's encoding holds the levels below it.
  const nestedKeys = Buffer.concat([Buffer.alloc(300, 0xa1), head32(2, 64 * 1024), Buffer.alloc(64 * 1024, 1), Buffer.alloc(300, 0x00)]);
  // [[[…[0, 0, 0, … 100 000 zeros]…]]] and {0: {0: …[0, 0, …]…}}: each element goes up through every level.
  const flat = Buffer.concat([head32(4, 100_000), Buffer.alloc(100_000, 0)]);
  const deepArrays = Buffer.concat([Buffer.alloc(400, 0x81), flat]);
  const deepValues = Buffer.concat([Buffer.from('a100'.repeat(900), 'hex'), flat]);
  for (const [name, bytes] of [['nested keys', nestedKeys], ['deep arrays', deepArrays], ['deep map values', deepValues]] as const) {
    const [result, ms] = timed(() => parseNitroDocument(bytes));
    assert.equal(codeOf(result), 'malformed', name);
    assert.ok(ms < FAST_MS, `${name}: ${ms.toFixed(0)} ms`);
  }
});

test('duplicate keys and keys other than integers and text are refused', () => {
  const nonce = encode('nonce');
  const valid = payloadWith(() => {});
  assert.equal(parseNitroDocument(valid).ok, true);
  // The same map with one more entry repeating "nonce": patch the entry count and append.
  const duplicated = Buffer.concat([Buffer.from([0xaa]), valid.subarray(1), nonce, Buffer.from([0x40])]);
  assert.equal(valid[0], 0xa9);
  assert.equal(codeOf(parseNitroDocument(duplicated)), 'malformed');
  const bytesKey = Buffer.concat([Buffer.from([0xaa]), valid.subarray(1), Buffer.from([0x41, 0x00, 0x00])]);
  assert.equal(codeOf(parseNitroDocument(bytesKey)), 'malformed');
  const pcrsDuplicate = payloadWith((m) => m.set('pcrs', new Map([[0, new Uint8Array(48)]])));
  const patched = Buffer.from(pcrsDuplicate);
  // Re-encode pcrs {0: h'..', 0: h'..'} by hand: a1 00 58 30 … → a2 00 58 30 … 00 58 30 …
  const at = patched.indexOf(Buffer.from([0xa1, 0x00, 0x58, 0x30]));
  assert.ok(at > 0);
  const entry = patched.subarray(at + 1, at + 1 + 1 + 2 + 48);
  const twice = Buffer.concat([patched.subarray(0, at), Buffer.from([0xa2]), entry, entry, patched.subarray(at + 1 + entry.length)]);
  assert.equal(codeOf(parseNitroDocument(twice)), 'malformed');
});

test('a cabundle of more than 8 certificates and a document over 32 KiB are refused', () => {
  const nine = payloadWith((m) => m.set('cabundle', Array.from({ length: 9 }, () => new Uint8Array(100))));
  const result = parseNitroDocument(nine);
  assert.deepEqual(result.ok ? 'ok' : [result.code, result.message], ['malformed', 'attestation document: cabundle must be an array of 1..8 certificates']);

  const doc = enclave.attest({ nonce: new Uint8Array(32) });
  const padded = Buffer.concat([doc, Buffer.alloc(32 * 1024 + 1 - doc.length)]);
  const [big, ms] = timed(() => verifyNitroDocument(padded, { trustedRoots: [ca.root], now: T0 }));
  assert.deepEqual(big.ok ? 'ok' : [big.code, big.message], ['malformed', 'the attestation document is larger than 32768 bytes']);
  assert.ok(ms < FAST_MS);
  assert.equal(verifyNitroDocument(doc, { trustedRoots: [ca.root], now: T0 }).ok, true);
});

test('only the encodings AWS writes: indefinite lengths, long integer and length forms, floats and undefined are refused in a signed document', () => {
  const root = issue(T0, 'root', undefined, { ca: true });
  const leaf = issue(T0, 'leaf', root, { ca: false });
  const nonce = new Uint8Array(32).fill(7);
  /** `bytes` with the one occurrence of `from` replaced by `to`. */
  const swap = (bytes: Buffer, from: Uint8Array, to: Uint8Array) => {
    const at = bytes.indexOf(from);
    assert.ok(at >= 0 && bytes.indexOf(from, at + 1) < 0, Buffer.from(from).toString('hex'));
    return Buffer.concat([bytes.subarray(0, at), to, bytes.subarray(at + from.length)]);
  };
  const field = (name: string, value: Uint8Array) => Buffer.concat([encode(name), value]);
  const float64 = Buffer.alloc(9);
  float64[0] = 0xfb;
  float64.writeDoubleBE(T0, 1);
  const pcr0 = Buffer.concat([Buffer.from([0xb0, 0x00, 0x58, 0x30]), Buffer.alloc(48, 0xab)]);
  const cases: Array<[string, (payload: Buffer) => Uint8Array]> = [
    ['the payload map of indefinite length', (p) => (assert.equal(p[0], 0xa9), Buffer.concat([Buffer.from([0xbf]), p.subarray(1), Buffer.from([0xff])]))],
    ['the nonce as an indefinite-length byte string', (p) => swap(p, field('nonce', encode(nonce)),
      field('nonce', Buffer.concat([Buffer.from([0x5f, 0x50]), nonce.subarray(0, 16), Buffer.from([0x50]), nonce.subarray(16), Buffer.from([0xff])])))],
    ['PCR index 0 as a 9-byte integer', (p) => swap(p, pcr0, Buffer.concat([Buffer.from([0xb0, 0x1b]), Buffer.alloc(8), pcr0.subarray(2)]))],
    ['a PCR length in two bytes where one will do', (p) => swap(p, pcr0, Buffer.concat([Buffer.from([0xb0, 0x00, 0x59, 0x00, 0x30]), pcr0.subarray(4)]))],
    ['the timestamp as a whole-number float', (p) => swap(p, field('timestamp', encode(T0)), field('timestamp', float64))],
    ['user_data undefined where null is expected', (p) => swap(p, field('user_data', Buffer.from([0xf6])), field('user_data', Buffer.from([0xf7])))],
  ];
  const verify = (doc: Uint8Array) => {
    const result = verifyNitroDocument(doc, { trustedRoots: [new X509Certificate(root.der)], now: T0, expectedNonce: nonce });
    return result.ok ? 'ok' : `${result.code}: ${result.message}`;
  };
  assert.equal(verify(nitroDocument(T0, leaf, [root.der], { nonce })), 'ok', 'as cbor2 writes it');
  for (const [what, rewrite] of cases) {
    assert.equal(verify(nitroDocument(T0, leaf, [root.der], { nonce, rewrite })), 'malformed: attestation document payload is not valid CBOR', what);
  }
  const indefiniteEnvelope = (e: Buffer) => (assert.equal(e[0], 0x84), Buffer.concat([Buffer.from([0x9f]), e.subarray(1), Buffer.from([0xff])]));
  assert.equal(verify(nitroDocument(T0, leaf, [root.der], { nonce, rewriteEnvelope: indefiniteEnvelope })),
    'malformed: not a COSE_Sign1 structure (a 4-element CBOR array)', 'the envelope of indefinite length');
});
