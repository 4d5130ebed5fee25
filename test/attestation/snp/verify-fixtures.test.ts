import { test } from 'node:test';
import assert from 'node:assert/strict';
import { amdRoots, verifySnpReport } from '../../../src/attestation/snp/index.js';
import type { VerifyOptions, VerifyResult } from '../../../src/attestation/types.js';
import {
  rootPem, SNP_FIXTURE_TIME, VCEK_NOT_AFTER, VCEK_NOT_BEFORE, vcekAskArkPem, vcekDer, vcekReport,
  VLEK_NOT_AFTER, vlekAskArkAsvkPem, vlekDer, vlekReport,
} from './fixtures.js';
import { chain } from './pki.js';

const DAY = 86_400_000;
const hex = (b: Uint8Array | null) => Buffer.from(b!).toString('hex');
const MEASUREMENT = 'b07af9620f3b839b47996422ddec6058338951d984e312115131ea82705eaf5b6bdf8a9ece31a5a608eb0cf2e4872b01';
const CHIP_ID = '3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d';

const vcekOptions = (extra: Partial<VerifyOptions> = {}): VerifyOptions =>
  ({ trustedRoots: amdRoots(), now: SNP_FIXTURE_TIME, certificates: [vcekDer()], allowDebug: true, ...extra });
const vlekOptions = (extra: Partial<VerifyOptions> = {}): VerifyOptions =>
  ({ trustedRoots: amdRoots(), now: SNP_FIXTURE_TIME, certificates: [vlekDer()], ...extra });

function failure(result: VerifyResult): { code: string; message: string } {
  assert.equal(result.ok, false, 'expected a failure');
  return result as { code: string; message: string };
}

const flipped = (bytes: Buffer, offset: number) => {
  const copy = Buffer.from(bytes);
  copy[offset] ^= 0x01;
  return copy;
};

test('the v2 VCEK report verifies with the built-in ASK and the AMD roots, with exact claims', () => {
  const result = verifySnpReport(vcekReport(), vcekOptions());
  assert.ok(result.ok, JSON.stringify(result));
  const c = result.claims;
  assert.equal(c.platform, 'snp');
  assert.equal(c.enclaveId, MEASUREMENT);
  assert.equal(c.signerId, '00'.repeat(48));
  assert.equal(c.debug, true);
  assert.deepEqual(c.snpTcb, { bootloader: 2, tee: 0, snp: 5, microcode: 68 });
  assert.equal(c.vmpl, 0);
  assert.equal(c.timestamp, SNP_FIXTURE_TIME);
  assert.equal(hex(c.nonce), '0102030405' + '00'.repeat(27));
  assert.equal(hex(c.userData), '00'.repeat(32));
  assert.equal(c.publicKey, null);
  assert.deepEqual(c.measurements, {
    measurement: MEASUREMENT,
    host_data: '00'.repeat(32),
    id_key_digest: '00'.repeat(48),
    author_key_digest: '00'.repeat(48),
    family_id: '00'.repeat(16),
    image_id: '00'.repeat(16),
    report_data: '0102030405' + '00'.repeat(59),
    chip_id: CHIP_ID,
    policy: '00000000000b0000',
    vmpl: '0',
    guest_svn: '0',
  });
  assert.equal(c.reportVersion, 2);
  assert.equal(c.signingKey, 'vcek');
  assert.equal(c.product, 'Milan');
});

test('the v2 VCEK report allows debugging: without allowDebug it fails debug_not_allowed', () => {
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ allowDebug: false }))).code, 'debug_not_allowed');
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ allowDebug: undefined }))).code, 'debug_not_allowed');
});

test('the v3 VLEK report (VMPL 1, chip id zero) verifies without allowDebug', () => {
  const result = verifySnpReport(vlekReport(), vlekOptions());
  assert.ok(result.ok, JSON.stringify(result));
  const c = result.claims;
  assert.equal(c.debug, false);
  assert.equal(c.vmpl, 1);
  assert.equal(c.measurements.vmpl, '1');
  assert.equal(c.measurements.policy, '0000000000030000');
  assert.equal(c.measurements.chip_id, '00'.repeat(64));
  assert.equal(c.enclaveId, '8922ebbdd00ec2c541f36a6e7a82a8773a7accb451ed67bc94e740dbe92c93c4e8c9af857f5ceeb5a493df2a570d7bf0');
  assert.deepEqual(c.snpTcb, { bootloader: 4, tee: 0, snp: 24, microcode: 217 });
  assert.equal(c.reportVersion, 3);
  assert.equal(c.signingKey, 'vlek');
  assert.equal(hex(c.nonce), '819770b7e6ea6df8dd8fd4dd146b073c0bf4f3ce5b0977ecac486e3a05ed1bd5');
  assert.equal(hex(c.userData), '4e2a7ac1f5d1ca02e7d7d5ef9f73b8574fd9359e3a480d741a4478e8a7bc27ca');
});

test('the chain may come as PEM with the ASK/ASVK and even the ARK: only the trusted roots decide', () => {
  assert.equal(verifySnpReport(vcekReport(), vcekOptions({ certificates: [vcekDer(), vcekAskArkPem()] })).ok, true);
  assert.equal(verifySnpReport(vlekReport(), vlekOptions({ certificates: [vlekAskArkAsvkPem(), vlekDer()] })).ok, true);
  assert.equal(verifySnpReport(vcekReport(), vcekOptions({ trustedRoots: [rootPem('ark_milan')] })).ok, true);
});

test('one flipped byte in the signed region (MEASUREMENT) fails bad_signature', () => {
  assert.equal(failure(verifySnpReport(flipped(vcekReport(), 0x90), vcekOptions())).code, 'bad_signature');
  assert.equal(failure(verifySnpReport(flipped(vlekReport(), 0x90), vlekOptions())).code, 'bad_signature');
  assert.equal(failure(verifySnpReport(flipped(vlekReport(), 0x50), vlekOptions())).code, 'bad_signature'); // REPORT_DATA
});

test('one flipped signature byte (R, S, or the zero padding of R) fails bad_signature', () => {
  for (const offset of [0x2a0, 0x2a0 + 47, 0x2e8 + 10, 0x2a0 + 60]) {
    assert.equal(failure(verifySnpReport(flipped(vcekReport(), offset), vcekOptions())).code, 'bad_signature', `offset ${offset}`);
    assert.equal(failure(verifySnpReport(flipped(vlekReport(), offset), vlekOptions())).code, 'bad_signature', `offset ${offset}`);
  }
});

test('a day after the VCEK/VLEK notAfter fails certificate_expired; a day before notBefore not_yet_valid', () => {
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ now: VCEK_NOT_AFTER + DAY }))).code, 'certificate_expired');
  assert.equal(failure(verifySnpReport(vlekReport(), vlekOptions({ now: VLEK_NOT_AFTER + DAY }))).code, 'certificate_expired');
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ now: VCEK_NOT_BEFORE - DAY }))).code, 'certificate_not_yet_valid');
  assert.equal(verifySnpReport(vlekReport(), vlekOptions({ now: VLEK_NOT_AFTER })).ok, true);
});

test('without ARK-Milan among the trusted roots the chain fails untrusted_root, even when the ARK is supplied', () => {
  const others = [rootPem('ark_genoa'), rootPem('ark_turin')];
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ trustedRoots: others }))).code, 'untrusted_root');
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ trustedRoots: others, certificates: [vcekDer(), vcekAskArkPem()] }))).code, 'untrusted_root');
  assert.equal(failure(verifySnpReport(vlekReport(), vlekOptions({ trustedRoots: [] }))).code, 'untrusted_root');
});

test('a self-made "ARK-Milan" chain supplied with the report fails untrusted_root under the AMD roots', () => {
  const fake = chain('Milan', { hwId: Buffer.from(CHIP_ID, 'hex') });
  const result = verifySnpReport(vcekReport(), vcekOptions({ certificates: [fake.vcekCert, fake.askCert, fake.arkCert] }));
  assert.equal(failure(result).code, 'untrusted_root');
  // Without its ASK, the self-made VCEK has no issuer at all.
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ certificates: [fake.vcekCert] }))).code, 'bad_chain');
});

test('a report with the other sample\'s certificate fails tcb_mismatch on the signing key type', () => {
  const vcekWithVlek = failure(verifySnpReport(vcekReport(), vcekOptions({ certificates: [vlekDer()] })));
  assert.equal(vcekWithVlek.code, 'tcb_mismatch');
  assert.match(vcekWithVlek.message, /names a VCEK but the certificate is a VLEK/);
  const vlekWithVcek = failure(verifySnpReport(vlekReport(), vlekOptions({ certificates: [vcekDer()] })));
  assert.equal(vlekWithVcek.code, 'tcb_mismatch');
  assert.match(vlekWithVcek.message, /names a VLEK but the certificate is a VCEK/);
});

test('a CHIP_ID or REPORTED_TCB byte changed fails tcb_mismatch before the signature is checked', () => {
  const chip = failure(verifySnpReport(flipped(vcekReport(), 0x1a0 + 63), vcekOptions()));
  assert.equal(chip.code, 'tcb_mismatch');
  assert.match(chip.message, /CHIP_ID/);
  assert.doesNotMatch(chip.message, /[0-9a-f]{16}/);
  for (const [offset, component] of [[0x180, 'bootloader'], [0x181, 'tee'], [0x186, 'snp'], [0x187, 'microcode']] as const) {
    const m = failure(verifySnpReport(flipped(vcekReport(), offset), vcekOptions()));
    assert.equal(m.code, 'tcb_mismatch');
    assert.match(m.message, new RegExp(component));
  }
  // The reserved TCB bytes are no component: changing one is caught by the signature.
  assert.equal(failure(verifySnpReport(flipped(vcekReport(), 0x183), vcekOptions())).code, 'bad_signature');
});

test('a truncated, overlong, unknown-version or wrong-algorithm report is refused before any crypto', () => {
  const r = vcekReport();
  assert.equal(failure(verifySnpReport(r.subarray(0, 1183), vcekOptions())).code, 'malformed');
  assert.equal(failure(verifySnpReport(Buffer.concat([r, Buffer.of(0)]), vcekOptions())).code, 'malformed');
  assert.equal(failure(verifySnpReport(new Uint8Array(0), vcekOptions())).code, 'malformed');
  const set32 = (offset: number, value: number) => { const c = Buffer.from(r); c.writeUInt32LE(value, offset); return c; };
  for (const version of [0, 1, 6, 0xffffffff]) assert.equal(failure(verifySnpReport(set32(0, version), vcekOptions())).code, 'malformed');
  for (const algo of [0, 2, 0x100]) assert.equal(failure(verifySnpReport(set32(0x34, algo), vcekOptions())).code, 'unsupported_algorithm');
  assert.equal(failure(verifySnpReport(set32(0x48, 7 << 2), vcekOptions())).code, 'unsupported_algorithm'); // SIGNING_KEY none
  assert.equal(failure(verifySnpReport(set32(0x30, 4), vcekOptions())).code, 'malformed'); // VMPL
});

test('expectedNonce must equal REPORT_DATA[0..32] exactly', () => {
  const challenge = Buffer.concat([Buffer.from('0102030405', 'hex'), Buffer.alloc(27)]);
  assert.equal(verifySnpReport(vcekReport(), vcekOptions({ expectedNonce: challenge })).ok, true);
  const other = Buffer.from(challenge);
  other[31] = 1;
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ expectedNonce: other }))).code, 'nonce_mismatch');
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ expectedNonce: challenge.subarray(0, 5) }))).code, 'nonce_mismatch');
  const whole = Buffer.concat([challenge, Buffer.alloc(32)]);
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ expectedNonce: whole }))).code, 'nonce_mismatch');
});

test('a report that does not carry the challenge is refused before its certificates, chain, CRLs and signature are looked at', () => {
  const other = Buffer.alloc(32, 7);
  const refused = (extra: Partial<VerifyOptions>, report = vcekReport()) => failure(verifySnpReport(report, vcekOptions({ expectedNonce: other, ...extra })));
  const expected = { ok: false, code: 'nonce_mismatch', message: 'REPORT_DATA[0..32] is not the expected challenge' };
  assert.deepEqual(refused({}, flipped(vcekReport(), 0x90)), expected);
  assert.deepEqual(refused({ certificates: [] }), expected);
  assert.deepEqual(refused({ certificates: [Buffer.from('3082000130', 'hex')] }), expected);
  assert.deepEqual(refused({ certificates: [vlekDer()] }), expected);
  assert.deepEqual(refused({ trustedRoots: [] }), expected);
  assert.deepEqual(refused({ now: VCEK_NOT_AFTER + DAY }), expected);
  assert.equal(refused({}, vcekReport().subarray(0, 1183)).code, 'malformed');
});

test('missing, garbled, ambiguous or too many certificates are malformed', () => {
  const cases: Array<[string, Uint8Array[]]> = [
    ['none', []],
    ['garbage DER', [Buffer.from('3082000130', 'hex')]],
    ['PEM without a block', [Buffer.from('-----BEGIN nothing')]],
    ['only the ASK and ARK', [vcekAskArkPem()]],
    ['two leaves', [vcekDer(), vlekDer()]],
    ['nine certificates', Array.from({ length: 9 }, () => vcekDer())],
    ['an oversized item', [Buffer.alloc(64 * 1024 + 1)]],
  ];
  for (const [label, certificates] of cases) {
    assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ certificates }))).code, 'malformed', label);
  }
  assert.equal(failure(verifySnpReport(vcekReport(), vcekOptions({ certificates: undefined }))).code, 'malformed');
});

test('bad evidence never throws, whatever the bytes', () => {
  const r = vcekReport();
  for (let i = 0; i < 64; i++) {
    const junk = Buffer.from(r);
    junk.writeUInt32LE((i * 2654435761) >>> 0, (i * 37) % (r.length - 4));
    const result = verifySnpReport(junk, vcekOptions());
    assert.equal(typeof result.ok, 'boolean');
  }
});
