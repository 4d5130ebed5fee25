import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intelSgxRootCa, verifyDcapQuote } from '../../../src/attestation/dcap/index.js';
import type { VerifyOptions } from '../../../src/attestation/types.js';
import { BODY_OFFSET, DAY, flipped, SGX_QE_REPORT_OFFSET, sgxFixture, tdxFixture } from './helpers.js';

const MR_ENCLAVE = '33d8736db756ed4997e04ba358d27833188f1932ff7b1d156904d3f560452fbb';
const MR_SIGNER = '815f42f11cf64430c30bab7816ba596a1da0130c3b028b673133a66cf9a3e0e6';
const REPORT_DATA = Buffer.concat([Buffer.from('Hello, world!'), Buffer.alloc(64 - 13)]).toString('hex');

const f = sgxFixture();
const tdx = tdxFixture();
const options = (over: Partial<VerifyOptions> = {}): VerifyOptions => ({ trustedRoots: [intelSgxRootCa()], now: f.now, collateral: f.collateral, ...over });

test('the SGX v3 fixture verifies: ConfigurationAndSWHardeningNeeded with its two advisories, the README values', () => {
  const result = verifyDcapQuote('sgx', f.quote, options());
  assert.ok(result.ok, JSON.stringify(result));
  const c = result.claims;
  assert.equal(c.platform, 'sgx');
  assert.equal(c.tcbStatus, 'ConfigurationAndSWHardeningNeeded');
  assert.deepEqual(c.advisoryIds, ['INTEL-SA-00289', 'INTEL-SA-00615']);
  assert.equal(c.enclaveId, MR_ENCLAVE);
  assert.equal(c.signerId, MR_SIGNER);
  assert.equal(c.debug, false);
  assert.deepEqual(c.measurements, {
    mr_enclave: MR_ENCLAVE,
    mr_signer: MR_SIGNER,
    isv_prod_id: '0',
    isv_svn: '0',
    attributes: '0500000000000000e700000000000000',
    report_data: REPORT_DATA,
  });
  assert.equal(Buffer.from(c.nonce!).toString('hex'), REPORT_DATA.slice(0, 64));
  assert.equal(Buffer.from(c.userData!).toString('hex'), REPORT_DATA.slice(64));
});

test('an SGX quote that does not carry the challenge is refused before its signatures, chain and collateral', () => {
  const other = Buffer.alloc(32);
  const expected = { ok: false, code: 'nonce_mismatch', message: 'REPORT_DATA[0..32] is not the expected challenge' };
  assert.deepEqual(verifyDcapQuote('sgx', flipped(f.quote, BODY_OFFSET + 64), options({ expectedNonce: other })), expected);
  assert.deepEqual(verifyDcapQuote('sgx', flipped(f.quote, SGX_QE_REPORT_OFFSET + 100), options({ expectedNonce: other })), expected);
  assert.deepEqual(verifyDcapQuote('sgx', f.quote, options({ expectedNonce: other, trustedRoots: [], collateral: undefined })), expected);
});

test('the SGX fixture verifies at both edges of its window; its nonce matches', () => {
  assert.equal(verifyDcapQuote('sgx', f.quote, options({ now: f.windowStart })).ok, true);
  assert.equal(verifyDcapQuote('sgx', f.quote, options({ now: f.windowEnd })).ok, true);
  assert.equal(verifyDcapQuote('sgx', f.quote, options({ expectedNonce: Buffer.from(REPORT_DATA.slice(0, 64), 'hex') })).ok, true);
});

const failures: Array<[string, () => ReturnType<typeof verifyDcapQuote>, string, RegExp?]> = [
  ['one flipped byte in the signed body (MRENCLAVE)', () => verifyDcapQuote('sgx', flipped(f.quote, BODY_OFFSET + 64), options()), 'bad_signature'],
  ['one flipped byte in the QE report', () => verifyDcapQuote('sgx', flipped(f.quote, SGX_QE_REPORT_OFFSET + 100), options()), 'bad_signature'],
  ['one flipped byte in the QE authentication data (the key binding)', () => verifyDcapQuote('sgx', flipped(f.quote, SGX_QE_REPORT_OFFSET + 384 + 64 + 2), options()), 'bad_signature'],
  ['the DEBUG attribute set (the signature fails first)', () => verifyDcapQuote('sgx', flipped(f.quote, BODY_OFFSET + 48, 0x02), options({ allowDebug: true })), 'bad_signature'],
  ['one character changed in the TCB info text', () => verifyDcapQuote('sgx', f.quote, options({
    collateral: { ...f.collateral, tcb_info: f.collateral.tcb_info.replace('"pcesvn":13', '"pcesvn":14') },
  })), 'collateral_invalid'],
  ['one day after the collateral\'s earliest nextUpdate', () => verifyDcapQuote('sgx', f.quote, options({ now: f.windowEnd + DAY })), 'collateral_expired', /past its nextUpdate/],
  ['after the PCK leaf\'s notAfter (2030-09-20)', () => verifyDcapQuote('sgx', f.quote, options({ now: Date.parse('2030-09-21T00:00:00Z') })), 'certificate_expired'],
  ['the Intel root removed', () => verifyDcapQuote('sgx', f.quote, options({ trustedRoots: [] })), 'untrusted_root'],
  ['no collateral', () => verifyDcapQuote('sgx', f.quote, options({ collateral: undefined })), 'collateral_missing'],
  ['the SGX quote verified as TDX', () => verifyDcapQuote('tdx', f.quote, options()), 'malformed'],
  ['the quote truncated in its certification data', () => verifyDcapQuote('sgx', f.quote.subarray(0, f.quote.length - 10), options()), 'malformed'],
  ['a nonce that is not REPORT_DATA[0..32]', () => verifyDcapQuote('sgx', f.quote, options({ expectedNonce: Buffer.alloc(32) })), 'nonce_mismatch'],
  // The TDX collateral: a TCB info with id "TDX", from the Platform (not Processor) CA.
  ['the TDX fixture\'s TCB info and QE identity', () => verifyDcapQuote('sgx', f.quote, options({
    collateral: { ...f.collateral, ...pick(tdx.collateral, 'tcb_info', 'tcb_info_signature', 'qe_identity', 'qe_identity_signature') },
  })), 'collateral_invalid', /TCB info id is not "SGX"/],
  ['a PCK CRL from another CA (Platform CA) with its own issuer chain', () => verifyDcapQuote('sgx', f.quote, options({
    collateral: { ...f.collateral, ...pick(tdx.collateral, 'pck_crl', 'pck_crl_issuer_chain') },
  })), 'collateral_invalid', /PCK CRL issuer is not the issuer of the PCK certificate/],
  ['a PCK CRL from another CA under this quote\'s issuer chain', () => verifyDcapQuote('sgx', f.quote, options({
    collateral: { ...f.collateral, pck_crl: tdx.collateral.pck_crl },
  })), 'collateral_invalid', /PCK CRL is not signed by its issuer/],
];

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

for (const [name, run, code, pattern] of failures) {
  test(`SGX fails with ${code}: ${name}`, () => {
    const result = run();
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.code, code, result.message);
      if (pattern) assert.match(result.message, pattern);
      assert.ok(!result.message.includes(MR_ENCLAVE) && !result.message.includes(MR_SIGNER));
    }
  });
}
