/**
 * Critical extensions (RFC 5280 §4.2, x509/critical-extensions.ts): a certificate with a critical
 * extension the verifier does not process is refused, naming the extension; every real vendor
 * certificate in the fixtures, whose critical extensions are basicConstraints and keyUsage, passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { amdRoots, awsNitroRoot, intelSgxRootCa, parseCoseSign1, parseNitroDocument } from '../../src/attestation/index.js';
import { parseQuote } from '../../src/attestation/dcap/index.js';
import { SGX_EXTENSIONS } from '../../src/attestation/dcap/pck.js';
import { amdIntermediates } from '../../src/attestation/snp/amd-intermediates.js';
import { READ_EXTENSIONS } from '../../src/attestation/snp/endorsement-key.js';
import { criticalExtensionProblem, pemCertificateBlocks, verifyAnchoredPath } from '../../src/attestation/x509/index.js';
import * as der from '../../src/lib/der.js';
import { extension } from './added-extensions.js';
import { sgxFixture, tdxFixture } from './dcap/helpers.js';
import { fixtureDocument } from './fixtures.js';
import { issue as issueAt, type Issued } from './nitro/documents.js';
import { rootPem, vcekDer, vlekDer } from './snp/fixtures.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const UNKNOWN = '1.3.6.1.4.1.99999.2';
const NAME_CONSTRAINTS = '2.5.29.30';
const unknown = (critical: boolean) => extension(UNKNOWN, critical, der.nullValue());
const issue = (cn: string, issuer: Issued | undefined, ca: boolean, extensions?: Uint8Array[]) => issueAt(T0, cn, issuer, { ca, extensions });
const x509 = (issued: Issued) => new X509Certificate(issued.der);
const pemCerts = (text: string) => pemCertificateBlocks(text).map((b) => new X509Certificate(b));

test('every real certificate in the fixtures passes, with what its platform reads: AWS, AMD and Intel chains, leaves and roots', () => {
  const certs: Array<[string, X509Certificate, readonly string[]]> = [['AWS root', awsNitroRoot(), []]];
  const cose = parseCoseSign1(fixtureDocument());
  assert.ok(cose.ok);
  const doc = parseNitroDocument(cose.value.payload);
  assert.ok(doc.ok);
  certs.push(['Nitro leaf', new X509Certificate(doc.value.certificate), []]);
  doc.value.cabundle.forEach((c, i) => certs.push([`Nitro cabundle ${i}`, new X509Certificate(c), []]));
  certs.push(['VCEK', new X509Certificate(vcekDer()), READ_EXTENSIONS], ['VLEK', new X509Certificate(vlekDer()), READ_EXTENSIONS]);
  amdRoots().forEach((c, i) => certs.push([`AMD root ${i}`, c, []]));
  amdIntermediates().forEach((c, i) => certs.push([`AMD built-in intermediate ${i}`, c, []]));
  for (const name of readdirSync(new URL('../fixtures/snp/roots/', import.meta.url)).filter((n) => n.endsWith('.pem'))) {
    pemCerts(rootPem(name.slice(0, -4))).forEach((c, i) => certs.push([`snp/roots/${name} #${i}`, c, []]));
  }
  certs.push(['Intel root', intelSgxRootCa(), []]);
  for (const fixture of [sgxFixture(), tdxFixture()]) {
    const quote = parseQuote(fixture.quote);
    assert.ok(quote.ok);
    const [pck, ...pckCas] = pemCerts(quote.value.pckChainPem);
    certs.push(['PCK', pck, [SGX_EXTENSIONS]], ...pckCas.map((c, i): [string, X509Certificate, string[]] => [`PCK chain ${i + 1}`, c, []]));
    const c = fixture.collateral;
    for (const chain of [c.pck_crl_issuer_chain, c.tcb_info_issuer_chain, c.qe_identity_issuer_chain]) {
      pemCerts(chain).forEach((cert, i) => certs.push([`collateral chain certificate ${i}`, cert, []]));
    }
  }
  assert.ok(certs.length >= 45, String(certs.length));
  for (const [what, cert, reads] of certs) assert.equal(criticalExtensionProblem(cert, what, reads), undefined, what);
});

test('a critical extension neither basicConstraints, keyUsage nor one the caller reads is refused by OID; a non-critical one is not', () => {
  const cases: Array<[string, Uint8Array[], readonly string[], string | undefined]> = [
    ['basicConstraints and keyUsage (critical) only', [], [], undefined],
    ['an unknown OID, not critical', [unknown(false)], [], undefined],
    ['an unknown OID, critical', [unknown(true)], [], `it has an unrecognised critical extension (${UNKNOWN})`],
    ['a critical extension the caller reads', [unknown(true)], [UNKNOWN], undefined],
    ['a critical extension OpenSSL knows but nothing here enforces (nameConstraints)', [extension(NAME_CONSTRAINTS, true, der.sequence())], [],
      `it has an unrecognised critical extension (${NAME_CONSTRAINTS})`],
  ];
  const root = issue('root', undefined, true);
  for (const [what, extensions, reads, expected] of cases) {
    const problem = criticalExtensionProblem(x509(issue('it', root, false, extensions)), 'it', reads);
    assert.deepEqual(problem, expected === undefined ? undefined : { code: 'unknown_critical_extension', message: expected }, what);
  }
  const twice = x509(issue('it', root, false, [unknown(false), unknown(true)]));
  assert.deepEqual(criticalExtensionProblem(twice, 'it'), { code: 'malformed', message: 'it has unreadable extensions' });
});

test('a chain walk refuses such a certificate wherever it stands: leaf, intermediate, or the trusted root itself', () => {
  const root = issue('root', undefined, true);
  const intermediate = issue('intermediate', root, true);
  const walk = (certs: Issued[], trusted: Issued, leafExtensions?: string[]) => {
    const result = verifyAnchoredPath(certs.map(x509), {
      trustedRoots: [x509(trusted)], now: T0, nameOf: (i) => `certificate ${i}`, untrustedMessage: 'untrusted', leafExtensions,
    });
    return result.ok ? 'ok' : `${result.code}: ${result.message}`;
  };
  const refused = (name: string) => `unknown_critical_extension: ${name} has an unrecognised critical extension (${UNKNOWN})`;
  assert.equal(walk([issue('leaf', intermediate, false), intermediate], root), 'ok');
  assert.equal(walk([issue('leaf', intermediate, false, [unknown(true)]), intermediate], root), refused('certificate 0'));
  assert.equal(walk([issue('leaf', intermediate, false, [unknown(true)]), intermediate], root, [UNKNOWN]), 'ok');
  const marked = issue('intermediate', root, true, [unknown(true)]);
  // What the caller reads from the leaf is processed on the leaf only.
  assert.equal(walk([issue('leaf', marked, false), marked], root, [UNKNOWN]), refused('certificate 1'));
  const markedRoot = issue('root', undefined, true, [unknown(true)]);
  const under = issue('intermediate', markedRoot, true);
  assert.equal(walk([issue('leaf', under, false), under], markedRoot), refused('the trusted root'));
  assert.equal(walk([issue('leaf', under, false), under, markedRoot], markedRoot), refused('certificate 2'));
});
