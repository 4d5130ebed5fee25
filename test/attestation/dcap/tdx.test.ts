import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDevCa } from '../../../src/attestation/dev-enclave/index.js';
import { intelSgxRootCa, verifyDcapQuote } from '../../../src/attestation/dcap/index.js';
import type { VerifyOptions } from '../../../src/attestation/types.js';
import { manualClock } from '../../../src/lib/clock.js';
import { BODY_OFFSET, DAY, flipped, rootPem, TDX_QE_REPORT_OFFSET, tdxFixture } from './helpers.js';

const MR_TD = '91eb2b44d141d4ece09f0c75c2c53d247a3c68edd7fafe8a3520c942a604a407de03ae6dc5f87f27428b2538873118b7';
const RTMR0 = '44c0197b39157fdd7a4dcc44767f9d6b0bb3977c7a8e347b8492f827fe9d9e5c48aca29b220b80b6a540cf994b9bc9c0';
const REPORT_DATA = '9a9d48e7f6799642d3d1b34e1e5e1742d4bb02dd6ddd551862c1211d35c304f9eca3efdbb481601c163cf52493d6e44aed55d51ec39b7e518fadb92c2b523f20';
const ZERO48 = '00'.repeat(48);

const f = tdxFixture();
const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({ trustedRoots: [intelSgxRootCa()], now: f.now, collateral: f.collateral, ...over });

test('the TDX v4 fixture verifies inside its window: UpToDate, no advisories, the README values', () => {
  const result = verifyDcapQuote('tdx', f.quote, options());
  assert.ok(result.ok, JSON.stringify(result));
  const c = result.claims;
  assert.equal(c.platform, 'tdx');
  assert.equal(c.tcbStatus, 'UpToDate');
  assert.deepEqual(c.advisoryIds, []);
  assert.equal(c.enclaveId, MR_TD);
  assert.equal(c.signerId, ZERO48);
  assert.equal(c.debug, false);
  assert.equal(c.measurements.mr_td, MR_TD);
  assert.equal(c.measurements.rtmr0, RTMR0);
  assert.equal(c.measurements.rtmr3, ZERO48);
  assert.equal(c.measurements.report_data, REPORT_DATA);
  assert.equal(c.measurements.mr_owner, ZERO48);
  assert.deepEqual(Object.keys(c.measurements).sort(), [
    'mr_config_id', 'mr_owner', 'mr_owner_config', 'mr_seam', 'mr_signer_seam', 'mr_td', 'report_data',
    'rtmr0', 'rtmr1', 'rtmr2', 'rtmr3', 'td_attributes', 'xfam',
  ]);
  assert.equal(Buffer.from(c.nonce!).toString('hex'), REPORT_DATA.slice(0, 64));
  assert.equal(Buffer.from(c.userData!).toString('hex'), REPORT_DATA.slice(64));
  assert.equal(c.timestamp, f.now);
  assert.equal(c.publicKey, null);
});

test('the TDX fixture verifies at both edges of its window and with the root given as PEM text', () => {
  assert.equal(verifyDcapQuote('tdx', f.quote, options({ now: f.windowStart })).ok, true);
  assert.equal(verifyDcapQuote('tdx', f.quote, options({ now: f.windowEnd })).ok, true);
  assert.equal(verifyDcapQuote('tdx', f.quote, options({ trustedRoots: [rootPem(f)] })).ok, true);
});

test('the expected nonce: REPORT_DATA[0..32] matches, anything else is nonce_mismatch', () => {
  const nonce = Buffer.from(REPORT_DATA.slice(0, 64), 'hex');
  assert.equal(verifyDcapQuote('tdx', f.quote, options({ expectedNonce: nonce })).ok, true);
  const other = flipped(nonce, 31);
  const result = verifyDcapQuote('tdx', f.quote, options({ expectedNonce: other }));
  assert.deepEqual(result.ok ? null : result.code, 'nonce_mismatch');
  const short = verifyDcapQuote('tdx', f.quote, options({ expectedNonce: nonce.subarray(0, 16) }));
  assert.deepEqual(short.ok ? null : short.code, 'nonce_mismatch');
});

test('a quote that does not carry the challenge is refused before any signature, chain, CRL or collateral is looked at', () => {
  const other = flipped(Buffer.from(REPORT_DATA.slice(0, 64), 'hex'), 0);
  const expected = { ok: false, code: 'nonce_mismatch', message: 'REPORT_DATA[0..32] is not the expected challenge' };
  // Each of these fails a later check on its own; with the wrong challenge the answer is the challenge's.
  assert.deepEqual(verifyDcapQuote('tdx', flipped(f.quote, BODY_OFFSET + 136), options({ expectedNonce: other })), expected);
  assert.deepEqual(verifyDcapQuote('tdx', f.quote, options({ expectedNonce: other, trustedRoots: [] })), expected);
  assert.deepEqual(verifyDcapQuote('tdx', f.quote, options({ expectedNonce: other, collateral: undefined })), expected);
  assert.deepEqual(verifyDcapQuote('tdx', f.quote, options({ expectedNonce: other, collateral: { ...f.collateral, pck_crl: 'zz' } })), expected);
  assert.deepEqual(verifyDcapQuote('tdx', f.quote, options({ expectedNonce: other, now: f.windowEnd + DAY })), expected);
  // Shape comes first: a quote that cannot be read has no challenge to compare.
  assert.equal(((r) => (r.ok ? 'ok' : r.code))(verifyDcapQuote('tdx', f.quote.subarray(0, 300), options({ expectedNonce: other }))), 'malformed');
});

const failures: Array<[string, () => ReturnType<typeof verifyDcapQuote>, string]> = [
  ['one flipped byte in the signed body (MRTD)', () => verifyDcapQuote('tdx', flipped(f.quote, BODY_OFFSET + 136), options()), 'bad_signature'],
  ['one flipped byte in the header', () => verifyDcapQuote('tdx', flipped(f.quote, 30), options()), 'bad_signature'],
  ['one flipped byte in the QE report', () => verifyDcapQuote('tdx', flipped(f.quote, TDX_QE_REPORT_OFFSET + 100), options()), 'bad_signature'],
  ['the debug bit set in TD_ATTRIBUTES (the signature fails first)', () => verifyDcapQuote('tdx', flipped(f.quote, BODY_OFFSET + 120), options({ allowDebug: true })), 'bad_signature'],
  ['one character changed in the TCB info text', () => verifyDcapQuote('tdx', f.quote, options({
    collateral: { ...f.collateral, tcb_info: f.collateral.tcb_info.replace('"tcbEvaluationDataNumber":17', '"tcbEvaluationDataNumber":18') },
  })), 'collateral_invalid'],
  ['one character changed in the QE identity text', () => verifyDcapQuote('tdx', f.quote, options({
    collateral: { ...f.collateral, qe_identity: f.collateral.qe_identity.replace('"isvprodid":2', '"isvprodid":3') },
  })), 'collateral_invalid'],
  ['the QE identity signature given for the TCB info', () => verifyDcapQuote('tdx', f.quote, options({
    collateral: { ...f.collateral, tcb_info_signature: f.collateral.qe_identity_signature },
  })), 'collateral_invalid'],
  ['the PCK CRL as the root CA CRL', () => verifyDcapQuote('tdx', f.quote, options({
    collateral: { ...f.collateral, root_ca_crl: f.collateral.pck_crl },
  })), 'collateral_invalid'],
  ['one day after the collateral\'s earliest nextUpdate', () => verifyDcapQuote('tdx', f.quote, options({ now: f.windowEnd + DAY })), 'collateral_expired'],
  ['one second after the PCK CRL\'s nextUpdate', () => verifyDcapQuote('tdx', f.quote, options({ now: f.windowEnd + 1000 })), 'collateral_expired'],
  ['one day before the collateral was issued', () => verifyDcapQuote('tdx', f.quote, options({ now: f.windowStart - DAY })), 'collateral_expired'],
  ['after the PCK leaf\'s notAfter (2032-02-06)', () => verifyDcapQuote('tdx', f.quote, options({ now: Date.parse('2032-02-07T00:00:00Z') })), 'certificate_expired'],
  ['before the PCK leaf\'s notBefore (2025-02-06)', () => verifyDcapQuote('tdx', f.quote, options({ now: Date.parse('2025-02-01T00:00:00Z') })), 'certificate_not_yet_valid'],
  ['the Intel root removed (the quote\'s own root is not trusted)', () => verifyDcapQuote('tdx', f.quote, options({ trustedRoots: [] })), 'untrusted_root'],
  ['only an unrelated root trusted', () => verifyDcapQuote('tdx', f.quote, options({ trustedRoots: [createDevCa({ clock: manualClock(f.now) }).root] })), 'untrusted_root'],
  ['no collateral', () => verifyDcapQuote('tdx', f.quote, options({ collateral: undefined })), 'collateral_missing'],
  ['the TDX quote verified as SGX', () => verifyDcapQuote('sgx', f.quote, options()), 'malformed'],
  ['the quote truncated inside the body', () => verifyDcapQuote('tdx', f.quote.subarray(0, 300), options()), 'malformed'],
  ['the quote truncated one byte before its declared signature data ends', () => verifyDcapQuote('tdx', f.quote.subarray(0, 4935), options()), 'malformed'],
  ['an empty quote', () => verifyDcapQuote('tdx', new Uint8Array(0), options()), 'malformed'],
];

for (const [name, run, code] of failures) {
  test(`TDX fails with ${code}: ${name}`, () => {
    const result = run();
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.code, code, result.message);
      assert.ok(!result.message.includes(MR_TD) && !result.message.includes(REPORT_DATA.slice(0, 16)), 'messages never quote measurements');
    }
  });
}

test('bytes past the declared signature data are ignored (the fixture carries 70 zero bytes; more are fine)', () => {
  assert.equal(f.quote.length - 4936, 70);
  const padded = Buffer.concat([f.quote, Buffer.alloc(100, 0xff)]);
  assert.equal(verifyDcapQuote('tdx', padded, options()).ok, true);
  assert.equal(verifyDcapQuote('tdx', f.quote.subarray(0, 4936), options()).ok, true);
});

test('the input is not mutated', () => {
  const before = Buffer.from(f.quote);
  const collateral = structuredClone(f.collateral);
  verifyDcapQuote('tdx', f.quote, options());
  assert.deepEqual(f.quote, before);
  assert.deepEqual(f.collateral, collateral);
});

test('a verification time that is not a finite number is a caller error, not a pass', () => {
  for (const now of [Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(() => verifyDcapQuote('tdx', f.quote, options({ now })), /verification time must be a finite number/);
  }
});

test('collateral of the wrong shape handed straight to the verifier is collateral_invalid', () => {
  const broken = { ...f.collateral, tcb_info: 42 } as unknown as VerifyOptions['collateral'];
  const result = verifyDcapQuote('tdx', f.quote, options({ collateral: broken }));
  assert.deepEqual(result.ok ? null : [result.code, result.message], ['collateral_invalid', 'DCAP collateral: tcb_info must be a non-empty string']);
});
