import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import {
  AWS_NITRO_ROOT_PEM, awsNitroRoot, createCertificateCache, createDevCa, parseCoseSign1, verifyNitroDocument,
} from '../../../src/attestation/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { FIXTURE_TIME, fixtureAwsRootPem, fixtureDocument } from '../fixtures.js';

const DAY = 86_400_000;
const ZERO_PCR = '00'.repeat(48);

test('the fixture verifies at its time with only the AWS root (debug allowed), with exact claims', () => {
  const result = verifyNitroDocument(fixtureDocument(), { trustedRoots: [fixtureAwsRootPem()], now: FIXTURE_TIME, allowDebug: true });
  assert.ok(result.ok, JSON.stringify(result));
  const c = result.claims;
  assert.equal(c.platform, 'nitro');
  assert.equal(c.moduleId, 'i-0f73a4b4cb74cc9f2-enc0192e4188fef781d');
  assert.equal(c.digest, 'SHA384');
  assert.equal(c.timestamp, 1731627989450);
  assert.deepEqual(Object.keys(c.measurements), Array.from({ length: 16 }, (_, i) => String(i)));
  assert.equal(c.measurements['3'], '639a8b65f68b0223cbb14a0032487e5656d260434e3d1a10e7ec1407fb86143860717fc8afee90df7a1604111709af46');
  assert.equal(c.measurements['4'], '9ab5a1aba055ee41ee254b9b251a58259b29fa1096859762744e9ac73b5869b25e51223854d9f86adbb37fe69f3e5d1c');
  assert.equal(c.enclaveId, ZERO_PCR);
  assert.equal(c.signerId, ZERO_PCR);
  assert.equal(c.debug, true);
  assert.equal(c.nonce, null);
  assert.equal(c.publicKey, null);
  assert.equal(Buffer.from(c.userData!).toString('hex'), '5a264748a62368075d34b9494634a3e096e0e48f6647f965b81d2a653de684f2');
});

test('the embedded AWS root is the fixture root and matches its pin', () => {
  assert.equal(awsNitroRoot().fingerprint256, new X509Certificate(fixtureAwsRootPem()).fingerprint256);
  assert.equal(awsNitroRoot().fingerprint256.replace(/:/g, '').toLowerCase(), '641a0321a3e244efe456463195d606317ed7cdcc3c1756e09893f3c68f79bb5b');
  assert.equal(AWS_NITRO_ROOT_PEM.trim(), fixtureAwsRootPem().trim());
});

test('the fixture wrapped in COSE tag 18 verifies too', () => {
  const tagged = Buffer.concat([Buffer.from([0xd2]), fixtureDocument()]);
  assert.equal(verifyNitroDocument(tagged, { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME, allowDebug: true }).ok, true);
});

const failures: Array<[string, Parameters<typeof verifyNitroDocument>[1], string]> = [
  ['debug evidence when debug is not allowed', { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME }, 'debug_not_allowed'],
  ['one day later (the leaf has expired)', { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME + DAY, allowDebug: true }, 'certificate_expired'],
  ['one day earlier (the leaf is not yet valid)', { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME - DAY, allowDebug: true }, 'certificate_not_yet_valid'],
  ['the AWS root removed', { trustedRoots: [], now: FIXTURE_TIME, allowDebug: true }, 'untrusted_root'],
  ['only an unrelated root trusted', { trustedRoots: [createDevCa({ clock: manualClock(FIXTURE_TIME) }).root], now: FIXTURE_TIME, allowDebug: true }, 'untrusted_root'],
  ['older than the age limit', { trustedRoots: [awsNitroRoot()], now: 1731627989450 + 5 * 60_000 + 1, allowDebug: true }, 'evidence_too_old'],
  ['a shorter age limit', { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME + 10_000, maxAgeMs: 5_000, allowDebug: true }, 'evidence_too_old'],
  ['a timestamp beyond the allowed skew', { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME, maxFutureSkewMs: 1_000, allowDebug: true }, 'evidence_from_future'],
  ['an expected nonce (the fixture has none)', { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME, allowDebug: true, expectedNonce: new Uint8Array(32) }, 'nonce_mismatch'],
];
for (const [name, options, code] of failures) {
  test(`the fixture fails: ${name}`, () => {
    const result = verifyNitroDocument(fixtureDocument(), options);
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.code, code, result.message);
  });
}

test('any single flipped byte in the payload or the signature fails verification', () => {
  const doc = fixtureDocument();
  const cose = parseCoseSign1(doc);
  assert.ok(cose.ok);
  const payloadStart = doc.indexOf(Buffer.from(cose.value.payload));
  const payloadLength = cose.value.payload.length;
  const signatureStart = doc.length - 96;
  assert.deepEqual([payloadStart, payloadLength, signatureStart], [10, 4385, 4397]);
  // First, last and evenly spread payload bytes (module_id, PCRs, certificate, cabundle, user_data),
  // and the signature's first, last and middle bytes (both halves r and s).
  const positions = [
    ...Array.from({ length: 24 }, (_, i) => payloadStart + Math.floor((i * (payloadLength - 1)) / 23)),
    ...[0, 1, 47, 48, 94, 95].map((i) => signatureStart + i),
  ];
  const codes = new Set<string>();
  for (const pos of positions) {
    const tampered = Buffer.from(doc);
    tampered[pos] ^= 0x01;
    const result = verifyNitroDocument(tampered, { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME, allowDebug: true });
    assert.equal(result.ok, false, `flipping byte ${pos} went unnoticed`);
    if (!result.ok) codes.add(result.code);
  }
  assert.ok(codes.has('bad_signature'), [...codes].join(','));
});

test('malformed input is a result, not an exception', () => {
  const cases: Array<[Uint8Array, string]> = [
    [new Uint8Array(0), 'malformed'],
    [Buffer.from('hello'), 'malformed'],
    [Buffer.from([0x84, 0x40, 0xa0, 0x40, 0x40]), 'malformed'],      // empty protected header: no alg
    [Buffer.from([0xd1, 0x80]), 'malformed'],                          // wrong tag
    [fixtureDocument().subarray(0, 2000), 'malformed'],                // truncated
  ];
  for (const [bytes, code] of cases) {
    const result = verifyNitroDocument(bytes, { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME, allowDebug: true });
    assert.deepEqual(result.ok ? 'ok' : result.code, code);
  }
});

test('the certificate cache gives the same answers and skips nothing time-dependent', () => {
  const cache = createCertificateCache();
  const options = { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME, allowDebug: true, cache };
  assert.equal(verifyNitroDocument(fixtureDocument(), options).ok, true);
  assert.equal(cache.size, 5 + 4); // 5 parsed certificates, 4 verified links (leaf → ... → root)
  assert.equal(verifyNitroDocument(fixtureDocument(), options).ok, true);
  const later = verifyNitroDocument(fixtureDocument(), { ...options, now: FIXTURE_TIME + DAY });
  assert.equal(later.ok ? 'ok' : later.code, 'certificate_expired');
  const untrusted = verifyNitroDocument(fixtureDocument(), { ...options, trustedRoots: [] });
  assert.equal(untrusted.ok ? 'ok' : untrusted.code, 'untrusted_root');
});
