/**
 * Checks that need a report re-signed after a change, on a self-made AMD-shaped PKI whose "ARK" is
 * the trusted root: Turin's TCB layout and short hwID, product and TCB binding, CA constraints,
 * and CRLs (no real AMD CRL sample exists).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { amdRoots, verifySnpReport } from '../../../src/attestation/snp/index.js';
import type { VerifyOptions, VerifyResult } from '../../../src/attestation/types.js';
import * as der from '../../../src/lib/der.js';
import { extension } from '../added-extensions.js';
import { MALFORMED, WITH_KEY_CERT_SIGN, WITHOUT_KEY_CERT_SIGN } from '../key-usage.js';
import { certificate, chain, crl, DAY, keys, report, resign, T0, type VcekOptions } from './pki.js';

const CHIP = Buffer.alloc(64, 0x5c);
const TURIN_CHIP = Buffer.concat([Buffer.alloc(8, 0x7e), Buffer.alloc(56)]);

function setup(gen = 'Milan', vcek: VcekOptions = { hwId: CHIP }, ask = {}, ark = {}) {
  const c = chain(gen, vcek, ask, ark);
  const options = (extra: Partial<VerifyOptions> = {}): VerifyOptions =>
    ({ trustedRoots: [c.arkPem], now: T0, certificates: [c.vcekCert, c.askCert], ...extra });
  return { ...c, options };
}

const code = (result: VerifyResult) => (result.ok ? 'ok' : result.code);

test('a self-made Milan chain whose ARK is trusted verifies a v3 report (the harness itself is sound)', () => {
  const { options } = setup();
  const result = verifySnpReport(report({ chipId: CHIP }), options());
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.claims.snpTcb, { bootloader: 2, tee: 0, snp: 5, microcode: 68 });
  // The real AMD roots do not trust it.
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), options({ trustedRoots: amdRoots() }))), 'untrusted_root');
});

test('a Turin v5 report uses the Turin TCB layout (FMC first) and an 8-byte hwID', () => {
  const tcb = { fmc: 1, bootloader: 3, tee: 2, snp: 9, microcode: 200 };
  const { options } = setup('Turin', { tcb, hwId: TURIN_CHIP.subarray(0, 8) });
  const reportedTcb = Uint8Array.of(1, 3, 2, 9, 0, 0, 0, 200);
  const turin = report({ version: 5, cpuid: [0x1a, 0x02, 0x01], reportedTcb, chipId: TURIN_CHIP });
  const result = verifySnpReport(turin, options());
  assert.ok(result.ok, JSON.stringify(result));
  assert.deepEqual(result.claims.snpTcb, tcb);
  assert.equal(result.claims.product, 'Turin');
  assert.equal(result.claims.reportVersion, 5);
  // The Milan layout of the same bytes would not match the certificate; neither does a Zen 3/4 CPUID.
  assert.equal(code(verifySnpReport(report({ version: 5, cpuid: [0x19, 0x11, 0x01], reportedTcb, chipId: TURIN_CHIP }), options())), 'tcb_mismatch');
  assert.equal(code(verifySnpReport(report({ version: 5, cpuid: [0x1a, 0x02, 0x01], reportedTcb: Uint8Array.of(1, 3, 2, 8, 0, 0, 0, 200), chipId: TURIN_CHIP }), options())), 'tcb_mismatch');
});

test('re-signed reports whose TCB or CHIP_ID differ from the VCEK fail tcb_mismatch', () => {
  const { options } = setup();
  assert.equal(code(verifySnpReport(report({ chipId: Buffer.alloc(64, 0x5d) }), options())), 'tcb_mismatch');
  assert.equal(code(verifySnpReport(report({ chipId: CHIP, reportedTcb: Uint8Array.of(2, 0, 0, 0, 0, 0, 6, 68) }), options())), 'tcb_mismatch');
  assert.equal(code(verifySnpReport(report({ chipId: CHIP, reportedTcb: Uint8Array.of(2, 0, 0, 0, 0, 0, 5, 67) }), options())), 'tcb_mismatch');
  // MASK_CHIP_ID: CHIP_ID reads as zeros and is not compared.
  assert.equal(code(verifySnpReport(report({ chipId: Buffer.alloc(64), signerInfo: 0b10 }), options())), 'ok');
  assert.equal(code(verifySnpReport(report({ chipId: Buffer.alloc(64) }), options())), 'tcb_mismatch');
});

test('a VCEK whose product is not its ARK\'s generation fails tcb_mismatch', () => {
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), setup('Milan', { hwId: CHIP, product: 'Genoa-B1' }).options())), 'tcb_mismatch');
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), setup('Milan', { hwId: CHIP, product: 'Milanese' }).options())), 'tcb_mismatch');
  assert.equal(code(verifySnpReport(report({ chipId: CHIP, cpuid: [0x1a, 0, 0] }), setup('Milan').options())), 'tcb_mismatch');
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), setup('Venice').options())), 'tcb_mismatch');
});

test('a VLEK issued by an ASK (not an ASVK), or a VCEK issued directly by the ARK, is refused', () => {
  const vlekUnderAsk = setup('Milan', { subject: 'SEV-VLEK' });
  const vlekReport = report({ signerInfo: 1 << 2 });
  const refused = verifySnpReport(vlekReport, vlekUnderAsk.options());
  assert.equal(code(refused), 'tcb_mismatch');
  assert.match((refused as { message: string }).message, /not issued by the ASVK of Milan/);
  // The ARK as the VCEK's issuer: no ASK between them, so no trusted root above the "intermediate".
  const k = keys();
  const direct = certificate({ subject: 'SEV-VCEK', issuer: 'ARK-Milan', key: k.vcek.publicKey, issuerKey: k.ark.privateKey, serial: 0 });
  const { arkCert, arkPem } = setup();
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), { trustedRoots: [arkPem], now: T0, certificates: [direct, arkCert] })), 'untrusted_root');
});

test('a VCEK without an SPL or hwID, or with a hwID of the wrong length, is malformed', () => {
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), setup('Milan', { hwId: CHIP, tcb: { bootloader: 2, tee: 0, snp: 5 } }).options())), 'malformed');
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), setup('Milan', {}).options())), 'malformed');
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), setup('Milan', { hwId: CHIP.subarray(0, 8) }).options())), 'malformed');
});

test('an ASK without CA:TRUE fails not_ca', () => {
  const { options } = setup('Milan', { hwId: CHIP }, { ca: false });
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), options())), 'not_ca');
});

test('an ASK/ASVK without CA:TRUE, with keyCertSign or not, is refused by name (not_ca)', () => {
  for (const keyUsage of [undefined, WITHOUT_KEY_CERT_SIGN.digitalSignature, WITH_KEY_CERT_SIGN['keyCertSign and cRLSign']]) {
    const result = verifySnpReport(report({ chipId: CHIP }), setup('Milan', { hwId: CHIP }, { ca: false, keyUsage }).options());
    assert.deepEqual(result.ok ? 'ok' : [result.code, result.message], ['not_ca', 'the ASK/ASVK issues a certificate but is not a CA']);
  }
});

test('an ASK/ASVK or ARK whose keyUsage lacks keyCertSign, or is malformed, cannot issue (not_ca)', () => {
  const outcome = (ask: object, ark: object = {}) => {
    const result = verifySnpReport(report({ chipId: CHIP }), setup('Milan', { hwId: CHIP }, ask, ark).options());
    return result.ok ? 'ok' : [result.code, result.message];
  };
  for (const [what, keyUsage] of Object.entries(WITHOUT_KEY_CERT_SIGN)) {
    assert.deepEqual(outcome({ keyUsage }), ['not_ca', 'the ASK/ASVK issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)'], what);
    assert.deepEqual(outcome({}, { keyUsage }), ['not_ca', 'the ARK issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)'], what);
  }
  for (const [what, keyUsage] of Object.entries(MALFORMED)) {
    assert.deepEqual(outcome({ keyUsage }), ['not_ca', 'the ASK/ASVK has an unreadable keyUsage extension'], what);
    assert.deepEqual(outcome({}, { keyUsage }), ['not_ca', 'the ARK has an unreadable keyUsage extension'], what);
  }
  // No keyUsage (the harness's default) and keyCertSign in any valid encoding may issue.
  assert.equal(outcome({}), 'ok');
  for (const [what, keyUsage] of Object.entries(WITH_KEY_CERT_SIGN)) assert.equal(outcome({ keyUsage }, { keyUsage }), 'ok', what);
});

test('a VCEK, ASK or ARK with a critical extension the verifier does not read is refused by OID; a critical one it reads is not', () => {
  const unknown = extension('1.3.6.1.4.1.99999.2', true, der.nullValue());
  const outcome = (vcek: VcekOptions, ask: object = {}, ark: object = {}) => {
    const result = verifySnpReport(report({ chipId: CHIP }), setup('Milan', { hwId: CHIP, ...vcek }, ask, ark).options());
    return result.ok ? 'ok' : `${result.code}: ${result.message}`;
  };
  const refused = (role: string, oid: string) => `unknown_critical_extension: the ${role} certificate has an unrecognised critical extension (${oid})`;
  assert.equal(outcome({ criticalAmd: ['2', '3.3', '4'] }), 'ok', 'product name, an SPL and the hwID are read');
  assert.equal(outcome({ criticalAmd: ['1'] }), refused('VCEK/VLEK', '1.3.6.1.4.1.3704.1.1'), 'the structure version is not read');
  assert.equal(outcome({ extensions: [unknown] }), refused('VCEK/VLEK', '1.3.6.1.4.1.99999.2'));
  assert.equal(outcome({}, { extensions: [unknown] }), refused('ASK/ASVK', '1.3.6.1.4.1.99999.2'));
  assert.equal(outcome({}, {}, { extensions: [unknown] }), refused('ARK', '1.3.6.1.4.1.99999.2'));
});

test('pathLenConstraint: AMD\'s ASK (pathLen 0) may issue the VCEK; an ARK with pathLen 0 may not have the ASK below it', () => {
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), setup('Milan', { hwId: CHIP }, { pathLength: 0 }).options())), 'ok');
  const result = verifySnpReport(report({ chipId: CHIP }), setup('Milan', { hwId: CHIP }, {}, { pathLength: 0 }).options());
  assert.deepEqual(result.ok ? 'ok' : [result.code, result.message], ['not_ca', 'the ARK allows at most 0 CA certificate(s) below it (pathLenConstraint)']);
});

test('an expired ASK fails certificate_expired', () => {
  const { options } = setup('Milan', { hwId: CHIP }, { notAfter: T0 - DAY });
  assert.equal(code(verifySnpReport(report({ chipId: CHIP }), options())), 'certificate_expired');
});

test('CRLs: an ARK CRL listing the ASK, or an ASK CRL listing the VCEK, fails revoked', () => {
  const { options } = setup();
  const k = keys();
  const good = report({ chipId: CHIP });
  assert.equal(code(verifySnpReport(good, options({ crls: [crl('ARK-Milan', k.ark.privateKey, [2])] }))), 'revoked');
  assert.equal(code(verifySnpReport(good, options({ crls: [crl('SEV-Milan', k.ask.privateKey, [0])] }))), 'revoked');
  // Serials are per issuer: the ARK's CRL listing serial 0 does not revoke the VCEK (serial 0) the ASK issued.
  assert.equal(code(verifySnpReport(good, options({ crls: [crl('ARK-Milan', k.ark.privateKey, [0, 7])] }))), 'ok');
  assert.equal(code(verifySnpReport(good, options({ crls: [crl('ARK-Milan', k.ark.privateKey, [])] }))), 'ok');
});

test('CRLs: stale, not yet issued, forged or garbled CRLs fail closed', () => {
  const { options } = setup();
  const k = keys();
  const good = report({ chipId: CHIP });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  assert.equal(code(verifySnpReport(good, options({ crls: [crl('ARK-Milan', k.ark.privateKey, [], T0 - 10 * DAY, T0 - DAY)] }))), 'collateral_expired');
  assert.equal(code(verifySnpReport(good, options({ crls: [crl('ARK-Milan', k.ark.privateKey, [], T0 + DAY, T0 + 9 * DAY)] }))), 'collateral_expired');
  assert.equal(code(verifySnpReport(good, options({ crls: [crl('ARK-Milan', stranger, [])] }))), 'collateral_invalid');
  assert.equal(code(verifySnpReport(good, options({ crls: [crl('ARK-Genoa', k.ark.privateKey, [])] }))), 'collateral_invalid');
  assert.equal(code(verifySnpReport(good, options({ crls: [Buffer.from('not a crl')] }))), 'collateral_invalid');
  assert.equal(code(verifySnpReport(good, options({ crls: Array.from({ length: 9 }, () => crl('ARK-Milan', k.ark.privateKey, [])) }))), 'collateral_invalid');
});

test('the signature covers the report body: a changed MEASUREMENT fails bad_signature until re-signed with the VCEK key', () => {
  const { options } = setup();
  const tampered = report({ chipId: CHIP });
  tampered[0x90] ^= 1;
  assert.equal(code(verifySnpReport(tampered, options())), 'bad_signature');
  assert.equal(code(verifySnpReport(resign(tampered), options())), 'ok');
});
