/**
 * What may issue a certificate in a Nitro chain (RFC 5280 §6.1.4 (k), (n)): a CA whose keyUsage,
 * if it has one, includes keyCertSign. A leaf that chains to the trusted root must not vouch for a
 * certificate below it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCertificateCache, verifyNitroDocument } from '../../../src/attestation/index.js';
import { MALFORMED, WITH_KEY_CERT_SIGN, WITHOUT_KEY_CERT_SIGN } from '../key-usage.js';
import { issue as issueAt, nitroDocument, type Issued } from './documents.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const issue = (cn: string, issuer: Issued | undefined, options: { ca: boolean; keyUsage?: Uint8Array | null }) => issueAt(T0, cn, issuer, options);
const document = (leaf: Issued, cabundle: Issued[]) => nitroDocument(T0, leaf, cabundle.map((c) => c.der));

const verify = (doc: Uint8Array, root: Issued, options: { cache?: ReturnType<typeof createCertificateCache> } = {}) => {
  const result = verifyNitroDocument(doc, { trustedRoots: [new X509Certificate(root.der)], now: T0, ...options });
  return result.ok ? 'ok' : `${result.code}: ${result.message}`;
};

const root = issue('root', undefined, { ca: true });
const intermediate = issue('intermediate', root, { ca: true });
const NO_KEY_CERT_SIGN = 'not_ca: cabundle certificate 1 issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)';

test('an enclave leaf (CA:FALSE) that chains to the root cannot sign a certificate below it', () => {
  const enclave = issue('enclave', intermediate, { ca: false });
  assert.equal(verify(document(enclave, [root, intermediate]), root), 'ok', 'the leaf itself is fine');
  const forged = issue('forged', enclave, { ca: false });
  assert.equal(verify(document(forged, [root, intermediate, enclave]), root), 'not_ca: cabundle certificate 2 issues a certificate but is not a CA');
  // keyCertSign without CA:TRUE is not enough either.
  const signing = issue('enclave', intermediate, { ca: false, keyUsage: WITH_KEY_CERT_SIGN['keyCertSign and cRLSign'] });
  assert.equal(verify(document(issue('forged', signing, { ca: false }), [root, intermediate, signing]), root),
    'not_ca: cabundle certificate 2 issues a certificate but is not a CA');
});

test('a CA whose keyUsage lacks keyCertSign cannot issue, however the bits are written', () => {
  for (const [what, keyUsage] of Object.entries(WITHOUT_KEY_CERT_SIGN)) {
    const ca = issue('intermediate', root, { ca: true, keyUsage });
    assert.equal(verify(document(issue('leaf', ca, { ca: false }), [root, ca]), root), NO_KEY_CERT_SIGN, what);
  }
});

test('a CA without a keyUsage extension, or with keyCertSign in any valid encoding, may issue', () => {
  const plain = issue('intermediate', root, { ca: true, keyUsage: null });
  assert.equal(verify(document(issue('leaf', plain, { ca: false }), [root, plain]), root), 'ok');
  for (const [what, keyUsage] of Object.entries(WITH_KEY_CERT_SIGN)) {
    const ca = issue('intermediate', root, { ca: true, keyUsage });
    assert.equal(verify(document(issue('leaf', ca, { ca: false }), [root, ca]), root), 'ok', what);
  }
});

test('a malformed keyUsage is refused, including encodings OpenSSL reads as keyCertSign', () => {
  for (const [what, keyUsage] of Object.entries(MALFORMED)) {
    const ca = issue('intermediate', root, { ca: true, keyUsage });
    assert.equal(verify(document(issue('leaf', ca, { ca: false }), [root, ca]), root),
      'not_ca: cabundle certificate 1 has an unreadable keyUsage extension', what);
  }
});

test('with the certificate cache, a refused issuer is refused again: no remembered link stands in for the rule', () => {
  const cache = createCertificateCache();
  const ca = issue('intermediate', root, { ca: true, keyUsage: MALFORMED['keyCertSign and a byte after the BIT STRING'] });
  const doc = document(issue('leaf', ca, { ca: false }), [root, ca]);
  for (let i = 0; i < 2; i++) assert.equal(verify(doc, root, { cache }), 'not_ca: cabundle certificate 1 has an unreadable keyUsage extension');
});

test('a trusted root that may not issue certificates is not the issuer of the chain\'s top', () => {
  for (const keyUsage of [WITHOUT_KEY_CERT_SIGN.digitalSignature, MALFORMED['keyCertSign with a padding bit set']]) {
    const badRoot = issue('root', undefined, { ca: true, keyUsage });
    const ca = issue('intermediate', badRoot, { ca: true });
    assert.equal(verify(document(issue('leaf', ca, { ca: false }), [ca]), badRoot), 'untrusted_root: the certificate chain does not end in a trusted root');
    // Carried in the cabundle, the same root is refused by name.
    assert.equal(verify(document(issue('leaf', ca, { ca: false }), [badRoot, ca]), badRoot),
      keyUsage === WITHOUT_KEY_CERT_SIGN.digitalSignature
        ? 'not_ca: cabundle certificate 0 issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)'
        : 'not_ca: cabundle certificate 0 has an unreadable keyUsage extension');
  }
});
