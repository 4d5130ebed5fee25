import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { AMD_ARK_PEM, AMD_ARK_SHA256, AMD_INTERMEDIATE_PEM, amdIntermediates, amdRoots } from '../../../src/attestation/snp/index.js';
import { fixtureReadme, rootPem } from './fixtures.js';

const sha256Of = (cert: X509Certificate) => cert.fingerprint256.replace(/:/g, '').toLowerCase();

test('the embedded ARKs match the SHA-256 pins written in the fixtures README', () => {
  const readme = fixtureReadme();
  for (const product of ['Milan', 'Genoa', 'Turin'] as const) {
    const match = new RegExp(`ARK-${product} ([0-9A-F]{64})`).exec(readme);
    assert.ok(match, `README states the ARK-${product} fingerprint`);
    assert.equal(AMD_ARK_SHA256[product], match[1].toLowerCase());
  }
  assert.deepEqual(amdRoots().map(sha256Of), [AMD_ARK_SHA256.Milan, AMD_ARK_SHA256.Genoa, AMD_ARK_SHA256.Turin]);
  assert.deepEqual(amdRoots().map((c) => c.subject.split('\n').at(-1)), ['CN=ARK-Milan', 'CN=ARK-Genoa', 'CN=ARK-Turin']);
});

test('the embedded ARKs are the fixture roots, self-signed CAs', () => {
  for (const product of ['Milan', 'Genoa', 'Turin'] as const) {
    const fixture = new X509Certificate(rootPem(`ark_${product.toLowerCase()}`));
    const embedded = new X509Certificate(AMD_ARK_PEM[product]);
    assert.equal(embedded.fingerprint256, fixture.fingerprint256);
    assert.equal(embedded.ca, true);
    assert.equal(embedded.verify(embedded.publicKey), true);
  }
});

test('each built-in ASK/ASVK is issued by its generation\'s ARK (RSASSA-PSS) and is a CA', () => {
  const roots = amdRoots();
  const names = Object.keys(AMD_INTERMEDIATE_PEM);
  assert.deepEqual(names, ['SEV-Milan', 'SEV-Genoa', 'SEV-Turin', 'SEV-VLEK-Milan', 'SEV-VLEK-Genoa']);
  for (const [i, cert] of amdIntermediates().entries()) {
    assert.equal(cert.subject.split('\n').at(-1), `CN=${names[i]}`);
    const generation = names[i].split('-').at(-1);
    const ark = roots.find((r) => r.subject.endsWith(`CN=ARK-${generation}`))!;
    assert.equal(cert.checkIssued(ark), true);
    assert.equal(cert.verify(ark.publicKey), true);
    assert.equal(cert.ca, true);
    // And by no other generation's ARK.
    for (const other of roots.filter((r) => r !== ark)) assert.equal(cert.verify(other.publicKey), false);
  }
  assert.equal(new X509Certificate(rootPem('ask_milan')).fingerprint256, amdIntermediates()[0].fingerprint256);
});
