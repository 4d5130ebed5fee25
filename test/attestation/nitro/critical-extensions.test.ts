/**
 * A Nitro document whose chain carries a critical extension nothing here processes is refused
 * (RFC 5280 §4.2), as OpenSSL-based Nitro verifiers refuse it, whether the link is cached or not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCertificateCache, verifyNitroDocument } from '../../../src/attestation/index.js';
import * as der from '../../../src/lib/der.js';
import { extension } from '../added-extensions.js';
import { issue as issueAt, nitroDocument, type Issued } from './documents.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const UNKNOWN = '1.3.6.1.4.1.99999.2';
const issue = (cn: string, issuer: Issued, ca: boolean, extensions?: Uint8Array[]) => issueAt(T0, cn, issuer, { ca, extensions });
const root = issueAt(T0, 'root', undefined, { ca: true });
const intermediate = issue('intermediate', root, true);

const verify = (leaf: Issued, cabundle: Issued[], cache?: ReturnType<typeof createCertificateCache>) => {
  const doc = nitroDocument(T0, leaf, cabundle.map((c) => c.der));
  const result = verifyNitroDocument(doc, { trustedRoots: [new X509Certificate(root.der)], now: T0, cache });
  return result.ok ? 'ok' : `${result.code}: ${result.message}`;
};

test('a leaf or cabundle certificate with an unrecognised critical extension is refused by OID; the same extension not critical passes', () => {
  const cache = createCertificateCache();
  for (const c of [undefined, cache, cache]) {
    assert.equal(verify(issue('enclave', intermediate, false, [extension(UNKNOWN, false, der.nullValue())]), [root, intermediate], c), 'ok');
    assert.equal(verify(issue('enclave', intermediate, false, [extension(UNKNOWN, true, der.nullValue())]), [root, intermediate], c),
      `unknown_critical_extension: the leaf certificate has an unrecognised critical extension (${UNKNOWN})`);
  }
  const marked = issue('intermediate', root, true, [extension(UNKNOWN, true, der.nullValue())]);
  assert.equal(verify(issue('enclave', marked, false), [root, marked]),
    `unknown_critical_extension: cabundle certificate 1 has an unrecognised critical extension (${UNKNOWN})`);
});
