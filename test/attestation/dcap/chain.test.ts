/** DCAP certificate chains enforce basicConstraints pathLenConstraint (RFC 5280 §4.2.1.9). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { verifyChain } from '../../../src/attestation/dcap/chain.js';
import { buildCertificate, type DistinguishedName } from '../../../src/attestation/dev-enclave/certificate.js';

const T0 = Date.UTC(2025, 5, 1);
const DAY = 86_400_000;

interface Issued {
  cert: X509Certificate;
  dn: DistinguishedName;
  keys: { publicKey: KeyObject; privateKey: KeyObject };
}

function issue(cn: string, issuer: Issued | undefined, ca: boolean, pathLength?: number): Issued {
  const keys = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const dn = { O: 'Sealtrail test', CN: cn };
  const signer = issuer ?? { dn, keys };
  const cert = new X509Certificate(buildCertificate({
    subject: dn, issuer: signer.dn, subjectKey: keys.publicKey, issuerPublicKey: signer.keys.publicKey, issuerPrivateKey: signer.keys.privateKey,
    notBefore: T0 - DAY, notAfter: T0 + DAY, ca, pathLength,
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
