/**
 * basicConstraints pathLenConstraint in Nitro chains (RFC 5280 §4.2.1.9): a CA may have at most
 * that many non-self-issued CAs below it. AWS's chain uses it (regional 2, zonal 1, instance 0).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { awsNitroRoot, verifyNitroDocument } from '../../../src/attestation/index.js';
import type { DistinguishedName } from '../../../src/attestation/dev-enclave/certificate.js';
import { FIXTURE_TIME, fixtureDocument } from '../fixtures.js';
import { issue as issueAt, nitroDocument, type Issued } from './documents.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const issue = (cn: string, issuer: Issued | undefined, options: { ca: boolean; pathLength?: number; dn?: DistinguishedName }) => issueAt(T0, cn, issuer, options);
const document = (leaf: Issued, cabundle: Issued[]) => nitroDocument(T0, leaf, cabundle.map((c) => c.der));

const verify = (doc: Uint8Array, root: Issued) => {
  const result = verifyNitroDocument(doc, { trustedRoots: [new X509Certificate(root.der)], now: T0 });
  return result.ok ? 'ok' : `${result.code}: ${result.message}`;
};

test('a CA below an intermediate with pathLen 0 cannot issue the leaf (the probe\'s rogue sub-CA)', () => {
  const root = issue('root', undefined, { ca: true });
  const intermediate = issue('intermediate', root, { ca: true, pathLength: 0 });
  const rogue = issue('rogue sub CA', intermediate, { ca: true });
  const leaf = issue('leaf', rogue, { ca: false });
  assert.equal(verify(document(leaf, [root, intermediate, rogue]), root),
    'not_ca: cabundle certificate 1 allows at most 0 CA certificate(s) below it (pathLenConstraint)');
  // The same intermediate issuing the leaf itself is what pathLen 0 allows.
  assert.equal(verify(document(issue('leaf', intermediate, { ca: false }), [root, intermediate]), root), 'ok');
});

test('pathLen counts the CAs below, whatever their own constraints, up to the trusted root', () => {
  const root = issue('root', undefined, { ca: true, pathLength: 1 });
  const one = issue('one', root, { ca: true, pathLength: 1 });
  const two = issue('two', one, { ca: true });
  const leaf = issue('leaf', two, { ca: false });
  // one allows one CA below it (two); the root allows one but has two (one, two).
  assert.equal(verify(document(leaf, [root, one, two]), root),
    'not_ca: cabundle certificate 0 allows at most 1 CA certificate(s) below it (pathLenConstraint)');
  assert.equal(verify(document(leaf, [one, two]), root),
    'not_ca: the trusted root allows at most 1 CA certificate(s) below it (pathLenConstraint)');
  assert.equal(verify(document(issue('leaf', one, { ca: false }), [root, one]), root), 'ok');

  const open = issue('root', undefined, { ca: true });
  const a = issue('a', open, { ca: true, pathLength: 2 });
  const b = issue('b', a, { ca: true, pathLength: 1 });
  const c = issue('c', b, { ca: true, pathLength: 0 });
  assert.equal(verify(document(issue('leaf', c, { ca: false }), [open, a, b, c]), open), 'ok', 'the AWS shape: 2, 1, 0');
  const d = issue('d', c, { ca: true });
  assert.equal(verify(document(issue('leaf', d, { ca: false }), [open, a, b, c, d]), open),
    'not_ca: cabundle certificate 3 allows at most 0 CA certificate(s) below it (pathLenConstraint)');
});

test('a self-issued CA (a key rollover: same name as its issuer) is not counted', () => {
  const root = issue('root', undefined, { ca: true });
  const intermediate = issue('intermediate', root, { ca: true, pathLength: 0 });
  const rolled = issue('intermediate', intermediate, { ca: true, pathLength: 0, dn: intermediate.dn });
  assert.equal(verify(document(issue('leaf', rolled, { ca: false }), [root, intermediate, rolled]), root), 'ok');
});

test('the real AWS chain (pathLen 2, 1, 0 below the root) still verifies', () => {
  assert.equal(verifyNitroDocument(fixtureDocument(), { trustedRoots: [awsNitroRoot()], now: FIXTURE_TIME, allowDebug: true }).ok, true);
});
