import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign, X509Certificate } from 'node:crypto';
import * as der from '../../src/lib/der.js';
import { children, parseDer, smallUnsigned } from '../../src/lib/der-reader.js';
import {
  certificateExtensions, crlSignedBy, isRevoked, parseCrl, signatureAlgorithm, subjectDer, verifySignature,
} from '../../src/attestation/x509/index.js';
import { revokedSerials } from '../../src/attestation/x509/crl.js';
import { MAX_EXTENSIONS } from '../../src/attestation/x509/extensions.js';
import { rootPem, vcekDer } from './snp/fixtures.js';
import { certificate, crl, DAY, keys, name, pssAlgorithm, pssSign, T0 } from './snp/pki.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const AMD = '1.3.6.1.4.1.3704.1';
const CHIP_ID = '3ac3fe21e13fb0990eb28a802e3fb6a29483a6b0753590c951bdd3b8e53786184ca39e359669a2b76a1936776b564ea464cdce40c05f63c9b610c5068b006b5d';

/** [tbsCertificate, signatureAlgorithm, signatureValue] of a certificate. */
const parts = (cert: X509Certificate) => children(parseDer(cert.raw));

test('the VCEK\'s AMD extensions are read by OID: product name, SPLs, raw hwID', () => {
  const ext = certificateExtensions(vcekDer());
  assert.deepEqual([...ext.keys()].filter((oid) => oid.startsWith(AMD)), [
    `${AMD}.1`, `${AMD}.2`, `${AMD}.3.1`, `${AMD}.3.2`, `${AMD}.3.4`, `${AMD}.3.5`, `${AMD}.3.6`, `${AMD}.3.7`, `${AMD}.3.3`, `${AMD}.3.8`, `${AMD}.4`,
  ]);
  assert.equal(hex(ext.get(`${AMD}.2`)!.value), '16084d696c616e2d4230'); // IA5String "Milan-B0"
  const spl = (suffix: string) => smallUnsigned(parseDer(ext.get(`${AMD}.${suffix}`)!.value));
  assert.deepEqual([spl('3.1'), spl('3.2'), spl('3.3'), spl('3.8')], [2, 0, 5, 68]);
  assert.equal(hex(ext.get(`${AMD}.4`)!.value), CHIP_ID);
  assert.equal([...ext.values()].some((e) => e.critical), false);
});

test('extensions: none gives an empty map, criticality is read, a duplicated OID throws', () => {
  const k = keys();
  const plain = certificate({ subject: 'x', issuer: 'x', key: k.ark.publicKey, issuerKey: k.ark.privateKey });
  assert.equal(certificateExtensions(plain).size, 0);
  const ca = certificate({ subject: 'x', issuer: 'x', key: k.ark.publicKey, issuerKey: k.ark.privateKey, ca: true });
  assert.equal(certificateExtensions(ca).get('2.5.29.19')!.critical, true);
  const twice = certificate({ subject: 'x', issuer: 'x', key: k.ark.publicKey, issuerKey: k.ark.privateKey, amd: [['2', der.utf8String('a')], ['2', der.utf8String('b')]] });
  assert.throws(() => certificateExtensions(twice), /duplicate certificate extension 1\.3\.6\.1\.4\.1\.3704\.1\.2/);
  assert.throws(() => certificateExtensions(Buffer.from('3000', 'hex')), Error);
});

test('RSASSA-PSS: the ASK verifies under the ARK (SHA-384, salt 48), and not when changed or under another key', () => {
  const ark = new X509Certificate(rootPem('ark_milan'));
  const ask = new X509Certificate(rootPem('ask_milan'));
  const [tbs, algorithmId, signatureValue] = parts(ask);
  const algorithm = signatureAlgorithm(algorithmId);
  assert.deepEqual(algorithm, { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 });
  const signature = signatureValue.content.subarray(1);
  assert.equal(verifySignature(algorithm, ark.publicKey, tbs.raw, signature), true);
  const changed = Buffer.from(tbs.raw);
  changed[20] ^= 1;
  assert.equal(verifySignature(algorithm, ark.publicKey, changed, signature), false);
  assert.equal(verifySignature(algorithm, new X509Certificate(rootPem('ark_genoa')).publicKey, tbs.raw, signature), false);
  assert.equal(verifySignature({ ...algorithm, saltLength: 32 }, ark.publicKey, tbs.raw, signature), false);
  // A key of the wrong type is a false, not an exception.
  assert.equal(verifySignature(algorithm, new X509Certificate(vcekDer()).publicKey, tbs.raw, signature), false);
});

test('signature algorithms: ECDSA and PKCS#1 by OID; unknown OIDs and PSS hashes are refused', () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const data = Buffer.from('signed bytes');
  const ecdsa = signatureAlgorithm(parseDer(der.sequence(der.oid('1.2.840.10045.4.3.2'))));
  assert.deepEqual(ecdsa, { kind: 'ecdsa', hash: 'sha256' });
  assert.equal(verifySignature(ecdsa, ec.publicKey, data, sign('sha256', data, ec.privateKey)), true);
  assert.deepEqual(signatureAlgorithm(parseDer(der.sequence(der.oid('1.2.840.113549.1.1.12'), der.nullValue()))), { kind: 'rsa-pkcs1', hash: 'sha384' });
  assert.throws(() => signatureAlgorithm(parseDer(der.sequence(der.oid('1.2.840.113549.1.1.5')))), /unsupported signature algorithm/);
  const pssSha1 = der.sequence(der.oid('1.2.840.113549.1.1.10'), der.sequence(der.explicit(0, der.sequence(der.oid('1.3.14.3.2.26')))));
  assert.throws(() => signatureAlgorithm(parseDer(pssSha1)), /unsupported RSASSA-PSS hash/);
});

test('CRL: parsed, signed by its issuer only, revoked serials matched however leading zeros are written', () => {
  const k = keys();
  const arkCert = new X509Certificate(certificate({ subject: 'ARK-Milan', issuer: 'ARK-Milan', key: k.ark.publicKey, issuerKey: k.ark.privateKey, ca: true }));
  const askCert = new X509Certificate(certificate({ subject: 'SEV-Milan', issuer: 'ARK-Milan', key: k.ask.publicKey, issuerKey: k.ark.privateKey, ca: true }));
  const list = parseCrl(crl('ARK-Milan', k.ark.privateKey, [2, 0x80]));
  assert.equal(list.thisUpdate, T0 - DAY);
  assert.equal(list.nextUpdate, T0 + 7 * DAY);
  assert.deepEqual(list.algorithm, { kind: 'rsa-pss', hash: 'sha384', saltLength: 48 });
  assert.equal(hex(list.issuerDer), hex(subjectDer(arkCert)));
  assert.equal(crlSignedBy(list, arkCert), true);
  assert.equal(crlSignedBy(list, askCert), false); // another name
  for (const serial of ['02', '2', '0002', '80', '0080']) assert.equal(isRevoked(list, serial), true, serial);
  for (const serial of ['0', '20', '8']) assert.equal(isRevoked(list, serial), false, serial);

  // AMD's ASK serial 0x010001, as node writes it.
  const amdStyle = der.sequence(der.smallInteger(1), pssAlgorithm(), name('ARK-Milan'), der.time(T0), der.time(T0 + DAY),
    der.sequence(der.sequence(der.unsignedInteger(Buffer.from('010001', 'hex')), der.time(T0))));
  const signed = parseCrl(der.sequence(amdStyle, pssAlgorithm(), der.bitString(pssSign(amdStyle, k.ark.privateKey))));
  assert.equal(isRevoked(signed, new X509Certificate(rootPem('ask_milan')).serialNumber), true);
  assert.equal(crlSignedBy(signed, arkCert), true);
});

test('CRL: a v1 list without nextUpdate or entries parses; disagreeing algorithms and a forged signature do not pass', () => {
  const k = keys();
  const arkCert = new X509Certificate(certificate({ subject: 'ARK-Milan', issuer: 'ARK-Milan', key: k.ark.publicKey, issuerKey: k.ark.privateKey, ca: true }));
  const v1 = der.sequence(pssAlgorithm(), name('ARK-Milan'), der.time(T0));
  const list = parseCrl(der.sequence(v1, pssAlgorithm(), der.bitString(pssSign(v1, k.ark.privateKey))));
  assert.equal(list.nextUpdate, undefined);
  assert.equal(revokedSerials(list).size, 0);
  assert.equal(crlSignedBy(list, arkCert), true);
  const forged = parseCrl(der.sequence(v1, pssAlgorithm(), der.bitString(pssSign(v1, k.ask.privateKey))));
  assert.equal(crlSignedBy(forged, arkCert), false);
  const pkcs1 = der.sequence(der.oid('1.2.840.113549.1.1.12'), der.nullValue());
  assert.throws(() => parseCrl(der.sequence(v1, pkcs1, der.bitString(pssSign(v1, k.ark.privateKey)))), /disagree/);
});

test('a certificate with more extensions than any real one carries is unreadable, before any of them is read', () => {
  const ext = (i: number) => der.sequence(der.oid(`1.3.6.1.4.1.99999.${i}`), der.octetString(der.nullValue()));
  const withExtensions = (n: number) => der.sequence(der.sequence(der.explicit(3, der.sequence(...Array.from({ length: n }, (_, i) => ext(i))))));
  assert.equal(certificateExtensions(withExtensions(MAX_EXTENSIONS)).size, MAX_EXTENSIONS);
  assert.throws(() => certificateExtensions(withExtensions(MAX_EXTENSIONS + 1)), /more than 64 certificate extensions/);
});
