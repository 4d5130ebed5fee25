import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { intelSgxRootCa, parseQuote, verifyDcapQuote } from '../../../src/attestation/dcap/index.js';
import { parseChainPem } from '../../../src/attestation/dcap/chain.js';
import { checkPckRevocation, currentCrl } from '../../../src/attestation/dcap/revocation.js';
import { isRevoked, MAX_CRL_ENTRIES, parseCrl, subjectDer } from '../../../src/attestation/x509/index.js';
import { revokedSerials } from '../../../src/attestation/x509/crl.js';
import * as der from '../../../src/lib/der.js';
import { buildCertificate } from '../../../src/attestation/dev-enclave/certificate.js';
import { MALFORMED, WITHOUT_KEY_CERT_SIGN } from '../key-usage.js';
import { buildCrl, DAY, p384, testPki, tdxFixture } from './helpers.js';

const f = tdxFixture();
const pckChain = () => {
  const parsed = parseQuote(f.quote);
  assert.ok(parsed.ok);
  return parseChainPem(parsed.value.pckChainPem)!;
};

test('isRevoked on the real PCK CRL: its listed serials are revoked, the fixture leaf and a made-up serial are not', () => {
  const crl = parseCrl(Buffer.from(f.collateral.pck_crl, 'hex'));
  assert.equal(revokedSerials(crl).size, 44);
  for (const serial of [...revokedSerials(crl)].slice(0, 3)) {
    assert.equal(isRevoked(crl, serial.toUpperCase()), true);
    assert.equal(isRevoked(crl, `00${serial}`), true);
  }
  // Serials whose first byte is below 0x10, as X509Certificate.serialNumber spells them.
  for (const serial of ['071DE0778F9E5FC4F2878F30D6B07C9A30E6B30B', '0702136900252274D9035EEDF5457462FAD0EF4C', '0FDA43A00B68EA79B7C2DEAEAC0B498BDFB2AF90']) {
    assert.equal(isRevoked(crl, serial), true, serial);
  }
  assert.equal(isRevoked(crl, pckChain()[0].serialNumber), false);
  assert.equal(isRevoked(crl, '0123456789ABCDEF0123456789ABCDEF01234567'), false);
});

test('a crafted PCK CRL revoking the leaf, signed by a test key, is refused (collateral_invalid), whatever issuer it names', () => {
  const [leaf, platformCa] = pckChain();
  const key = p384().privateKey;
  const fakeIssuer = der.sequence(der.set(der.sequence(der.oid('2.5.4.3'), der.utf8String('Intel SGX PCK Platform CA (not)'))));
  for (const issuer of [fakeIssuer, subjectDer(platformCa)]) {
    const crl = buildCrl(issuer, key, [leaf.serialNumber], f.now - DAY, f.now + DAY);
    const result = verifyDcapQuote('tdx', f.quote, {
      trustedRoots: [intelSgxRootCa()], now: f.now, collateral: { ...f.collateral, pck_crl: crl.toString('hex') },
    });
    assert.deepEqual(result.ok ? null : [result.code, result.message], ['collateral_invalid', 'the PCK CRL is not signed by its issuer']);
  }
});

test('a CRL that is not hex or not DER is collateral_invalid', () => {
  for (const pck_crl of ['zz', '3082', '00']) {
    const result = verifyDcapQuote('tdx', f.quote, { trustedRoots: [intelSgxRootCa()], now: f.now, collateral: { ...f.collateral, pck_crl } });
    assert.deepEqual(result.ok ? null : result.code, 'collateral_invalid');
  }
});

// The revocation path itself, under a test PKI (Intel's CRLs cannot be re-signed).
const now = Date.parse('2025-07-01T00:00:00Z');
const pki = testPki(now - 30 * DAY);
const chainPem = pki.caCert.toString() + pki.rootCert.toString();
const crlHex = (issuer: typeof pki.caCert, key: typeof pki.caKey, serials: string[], from = now - DAY, to = now + DAY) =>
  buildCrl(subjectDer(issuer), key, serials, from, to).toString('hex');

function revocation(rootSerials: string[], pckSerials: string[], over: { pckCrl?: string } = {}) {
  return checkPckRevocation({
    collateral: {
      ...f.collateral,
      root_ca_crl: crlHex(pki.rootCert, pki.rootKey, rootSerials),
      pck_crl_issuer_chain: chainPem,
      pck_crl: over.pckCrl ?? crlHex(pki.caCert, pki.caKey, pckSerials),
    },
    pckPath: [pki.leafCert, pki.caCert, pki.rootCert],
    trustedRoots: [pki.rootCert],
    now,
  });
}

test('test PKI: clean CRLs pass, and the root CRL check applies only to what the root issued', () => {
  const result = revocation([], ['01']);
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(result.value(pki.caCert), false);
});

test('test PKI: the leaf on the PCK CRL is revoked', () => {
  assert.deepEqual(revocation([], ['01', pki.leafCert.serialNumber]), { ok: false, code: 'revoked', message: 'the PCK certificate is revoked' });
});

test('test PKI: the intermediate on the root CRL is revoked', () => {
  const result = revocation([pki.caCert.serialNumber], []);
  assert.deepEqual(result.ok ? null : result.code, 'revoked');
});

test('test PKI: a PCK CRL signed by the root instead of the CA, or stale, is refused', () => {
  const byRoot = revocation([], [], { pckCrl: buildCrl(subjectDer(pki.caCert), pki.rootKey, [], now - DAY, now + DAY).toString('hex') });
  assert.deepEqual(byRoot.ok ? null : byRoot.code, 'collateral_invalid');
  const stale = revocation([], [], { pckCrl: crlHex(pki.caCert, pki.caKey, [], now - 3 * DAY, now - DAY) });
  assert.deepEqual(stale.ok ? null : stale.code, 'collateral_expired');
  const future = revocation([], [], { pckCrl: crlHex(pki.caCert, pki.caKey, [], now + DAY, now + 3 * DAY) });
  assert.deepEqual(future.ok ? null : future.code, 'collateral_expired');
});

test('test PKI: a PCK CRL issuer that may not issue certificates does not stand for the PCK\'s issuer', () => {
  // The root's twin of the PCK CA: same name and key, but a keyUsage without keyCertSign, or a malformed one.
  const twin = (keyUsage: Uint8Array) => new X509Certificate(buildCertificate({
    subject: { C: 'US', O: 'Sealtrail test', CN: 'test PCK CA' }, issuer: { C: 'US', O: 'Sealtrail test', CN: 'test root' },
    subjectKey: pki.caCert.publicKey, issuerPublicKey: pki.rootCert.publicKey, issuerPrivateKey: pki.rootKey,
    notBefore: now - 30 * DAY, notAfter: now + 300 * DAY, ca: true, keyUsage,
  }));
  for (const [keyUsage, reason] of [
    [WITHOUT_KEY_CERT_SIGN.cRLSign, 'the PCK CRL issuer issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)'],
    [MALFORMED['keyCertSign with a padding bit set'], 'the PCK CRL issuer has an unreadable keyUsage extension'],
  ] as const) {
    const result = checkPckRevocation({
      collateral: {
        ...f.collateral,
        root_ca_crl: crlHex(pki.rootCert, pki.rootKey, []),
        pck_crl_issuer_chain: twin(keyUsage).toString() + pki.rootCert.toString(),
        pck_crl: crlHex(pki.caCert, pki.caKey, []),
      },
      pckPath: [pki.leafCert, pki.caCert, pki.rootCert],
      trustedRoots: [pki.rootCert],
      now,
    });
    assert.deepEqual(result.ok ? 'ok' : [result.code, result.message], ['collateral_invalid', reason]);
  }
});

test('currentCrl: the real root CA CRL is signed by the Intel root and current in the fixture window', () => {
  const crl = currentCrl('the root CA CRL', f.collateral.root_ca_crl, intelSgxRootCa(), f.now);
  assert.ok(crl.ok);
  assert.equal(revokedSerials(crl.value).size, 0);
  const wrongIssuer = currentCrl('the root CA CRL', f.collateral.root_ca_crl, pckChain()[1], f.now);
  assert.deepEqual(wrongIssuer.ok ? null : wrongIssuer.code, 'collateral_invalid');
});

test('TCB info signed under a longer chain (e.g. a PCK leaf that chains to the same root) is refused', () => {
  const parsed = parseQuote(f.quote);
  assert.ok(parsed.ok);
  const result = verifyDcapQuote('tdx', f.quote, {
    trustedRoots: [intelSgxRootCa()], now: f.now, collateral: { ...f.collateral, tcb_info_issuer_chain: parsed.value.pckChainPem },
  });
  assert.deepEqual(result.ok ? null : [result.code, result.message],
    ['collateral_invalid', 'the TCB info is not signed by a signing certificate the root issued directly']);
});

test('a CRL\'s revoked entries are read only once its signature holds, and at most MAX_CRL_ENTRIES of them', () => {
  // 04 00: an OCTET STRING where a revokedCertificate SEQUENCE must be.
  const badEntries = der.sequence(...Array.from({ length: 1000 }, () => Buffer.from([0x04, 0x00])));
  const forged = buildCrl(subjectDer(pki.rootCert), p384().privateKey, [], now - DAY, now + DAY, badEntries).toString('hex');
  const unsigned = currentCrl('the root CA CRL', forged, pki.rootCert, now);
  assert.deepEqual(unsigned.ok ? null : [unsigned.code, unsigned.message], ['collateral_invalid', 'the root CA CRL is not signed by its issuer']);
  const signed = buildCrl(subjectDer(pki.rootCert), pki.rootKey, [], now - DAY, now + DAY, badEntries).toString('hex');
  const read = currentCrl('the root CA CRL', signed, pki.rootCert, now);
  assert.deepEqual(read.ok ? null : [read.code, read.message], ['collateral_invalid', 'the root CA CRL: the CRL\'s revoked list is not valid DER']);
  const entry = der.sequence(der.unsignedInteger(Buffer.from([1])), der.time(now));
  const many = buildCrl(subjectDer(pki.rootCert), pki.rootKey, [], now - DAY, now + DAY, der.sequence(...Array.from({ length: MAX_CRL_ENTRIES + 1 }, () => entry))).toString('hex');
  const tooMany = currentCrl('the root CA CRL', many, pki.rootCert, now);
  assert.deepEqual(tooMany.ok ? null : tooMany.message, `the root CA CRL: the CRL lists more than ${MAX_CRL_ENTRIES} certificates`);
});
