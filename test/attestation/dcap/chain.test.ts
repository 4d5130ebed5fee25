/**
 * DCAP certificate chains enforce basicConstraints pathLenConstraint (RFC 5280 §4.2.1.9), what
 * may issue a certificate: a CA whose keyUsage, if any, has keyCertSign (§6.1.4 (k), (n)), and
 * refuse a critical extension they do not process (§4.2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { verifyChain } from '../../../src/attestation/dcap/chain.js';
import { buildCertificate, type DistinguishedName } from '../../../src/attestation/dev-enclave/certificate.js';
import { SGX_EXTENSIONS } from '../../../src/attestation/dcap/pck.js';
import * as der from '../../../src/lib/der.js';
import { extension, withExtensions } from '../added-extensions.js';
import { MALFORMED, WITH_KEY_CERT_SIGN, WITHOUT_KEY_CERT_SIGN } from '../key-usage.js';

const T0 = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;

interface Issued {
  cert: X509Certificate;
  dn: DistinguishedName;
  keys: { publicKey: KeyObject; privateKey: KeyObject };
}

function issue(cn: string, issuer: Issued | undefined, ca: boolean, pathLength?: number, keyUsage?: Uint8Array | null): Issued {
  const keys = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const dn = { O: 'Sealtrail test', CN: cn };
  const signer = issuer ?? { dn, keys };
  const cert = new X509Certificate(buildCertificate({
    subject: dn, issuer: signer.dn, subjectKey: keys.publicKey, issuerPublicKey: signer.keys.publicKey, issuerPrivateKey: signer.keys.privateKey,
    notBefore: T0 - DAY, notAfter: T0 + DAY, ca, pathLength, keyUsage,
  }));
  return { cert, dn, keys };
}

const outcome = (certs: Issued[], root: Issued) => {
  const r = verifyChain('PCK chain', certs.map((c) => c.cert), [root.cert], T0);
  return r.ok ? 'ok' : `${r.code}: ${r.message}`;
};

test('a CA below a pathLen 0 CA, or more CAs than the root allows, is refused (not_ca)', () => {
  // Intel's shape: root (pathLen 1) → PCK Platform CA (pathLen 0) → PCK leaf.
  const root = issue('root', undefined, true, 1);
  const platformCa = issue('PCK Platform CA', root, true, 0);
  assert.equal(outcome([issue('PCK', platformCa, false), platformCa, root], root), 'ok');
  assert.equal(outcome([issue('PCK', platformCa, false), platformCa], root), 'ok');

  const rogue = issue('rogue CA', platformCa, true);
  assert.equal(outcome([issue('PCK', rogue, false), rogue, platformCa, root], root),
    'not_ca: PCK chain: intermediate certificate 2 allows at most 0 CA certificate(s) below it (pathLenConstraint)');
  const open = issue('open CA', root, true);
  const below = issue('second CA', open, true);
  assert.equal(outcome([issue('PCK', below, false), below, open], root),
    'not_ca: PCK chain: the trusted root allows at most 1 CA certificate(s) below it (pathLenConstraint)');
});

test('a PCK leaf (CA:FALSE) that chains to the root cannot sign a certificate below it', () => {
  const root = issue('root', undefined, true, 1);
  const platformCa = issue('PCK Platform CA', root, true, 0);
  const pck = issue('PCK', platformCa, false);
  assert.equal(outcome([pck, platformCa, root], root), 'ok');
  assert.equal(outcome([issue('forged PCK', pck, false), pck, platformCa, root], root),
    'not_ca: PCK chain: intermediate certificate 1 issues a certificate but is not a CA');
  const signing = issue('PCK', platformCa, false, undefined, WITH_KEY_CERT_SIGN['keyCertSign and cRLSign']);
  assert.equal(outcome([issue('forged PCK', signing, false), signing, platformCa], root),
    'not_ca: PCK chain: intermediate certificate 1 issues a certificate but is not a CA');
});

test('a CA whose keyUsage lacks keyCertSign, or is malformed, cannot issue; no keyUsage or keyCertSign can', () => {
  const root = issue('root', undefined, true, 1);
  const under = (keyUsage: Uint8Array | null) => {
    const ca = issue('PCK Platform CA', root, true, 0, keyUsage);
    return outcome([issue('PCK', ca, false), ca, root], root);
  };
  for (const [what, keyUsage] of Object.entries(WITHOUT_KEY_CERT_SIGN)) {
    assert.equal(under(keyUsage), 'not_ca: PCK chain: intermediate certificate 1 issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)', what);
  }
  for (const [what, keyUsage] of Object.entries(MALFORMED)) {
    assert.equal(under(keyUsage), 'not_ca: PCK chain: intermediate certificate 1 has an unreadable keyUsage extension', what);
  }
  assert.equal(under(null), 'ok');
  for (const [what, keyUsage] of Object.entries(WITH_KEY_CERT_SIGN)) assert.equal(under(keyUsage), 'ok', what);
});

test('a trusted root that may not issue certificates: refused by name in the chain, no issuer of its top otherwise', () => {
  for (const [keyUsage, reason] of [
    [WITHOUT_KEY_CERT_SIGN.digitalSignature, 'issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)'],
    [MALFORMED['keyCertSign and a byte after the BIT STRING'], 'has an unreadable keyUsage extension'],
  ] as const) {
    const root = issue('root', undefined, true, 1, keyUsage);
    const platformCa = issue('PCK Platform CA', root, true, 0);
    const pck = issue('PCK', platformCa, false);
    assert.equal(outcome([pck, platformCa, root], root), `not_ca: PCK chain: the top certificate ${reason}`);
    assert.equal(outcome([pck, platformCa], root), 'untrusted_root: PCK chain: the chain does not end in a trusted root');
  }
});

test('a critical extension is refused by OID unless it is the PCK certificate\'s SGX extension, which is read from the leaf', () => {
  const root = issue('root', undefined, true, 1);
  const platformCa = issue('PCK Platform CA', root, true, 0);
  const marked = (cert: Issued, by: Issued, oid: string): Issued =>
    ({ ...cert, cert: new X509Certificate(withExtensions(cert.cert.raw, [extension(oid, true, der.sequence())], by.keys.privateKey)) });
  const sgxLeaf = marked(issue('PCK', platformCa, false), platformCa, SGX_EXTENSIONS);
  const walk = (certs: Issued[], leafExtensions?: string[]) => {
    const r = verifyChain('PCK chain', certs.map((c) => c.cert), [root.cert], T0, leafExtensions);
    return r.ok ? 'ok' : `${r.code}: ${r.message}`;
  };
  const refused = (name: string, oid: string) => `unknown_critical_extension: PCK chain: ${name} has an unrecognised critical extension (${oid})`;
  assert.equal(walk([sgxLeaf, platformCa], [SGX_EXTENSIONS]), 'ok');
  assert.equal(walk([sgxLeaf, platformCa]), refused('the leaf certificate', SGX_EXTENSIONS), 'a collateral chain reads no SGX extension');
  const sgxCa = marked(platformCa, root, SGX_EXTENSIONS);
  assert.equal(walk([issue('PCK', sgxCa, false), sgxCa], [SGX_EXTENSIONS]), refused('the top certificate', SGX_EXTENSIONS));
  assert.equal(walk([marked(issue('PCK', platformCa, false), platformCa, '1.3.6.1.4.1.99999.2'), platformCa], [SGX_EXTENSIONS]),
    refused('the leaf certificate', '1.3.6.1.4.1.99999.2'));
});
