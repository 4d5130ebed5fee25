/**
 * The shared rule for what may issue a certificate (x509/issuer-rules.ts): every real vendor
 * issuer in the fixtures passes it, every real leaf fails it, and refusals name the rule only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readdirSync } from 'node:fs';
import {
  amdRoots, awsNitroRoot, buildCertificate, intelSgxRootCa, parseCoseSign1, parseNitroDocument,
} from '../../src/attestation/index.js';
import { parseQuote } from '../../src/attestation/dcap/index.js';
import { amdIntermediates } from '../../src/attestation/snp/amd-intermediates.js';
import { issuerProblem, pemCertificateBlocks } from '../../src/attestation/x509/index.js';
import { sgxFixture, tdxFixture } from './dcap/helpers.js';
import { fixtureDocument } from './fixtures.js';
import { MALFORMED, WITH_KEY_CERT_SIGN, WITHOUT_KEY_CERT_SIGN } from './key-usage.js';
import { rootPem, vcekDer, vlekDer } from './snp/fixtures.js';

const pemCerts = (text: string) => pemCertificateBlocks(text).map((b) => new X509Certificate(b));

function nitroCertificates() {
  const cose = parseCoseSign1(fixtureDocument());
  assert.ok(cose.ok);
  const doc = parseNitroDocument(cose.value.payload);
  assert.ok(doc.ok);
  return { leaf: new X509Certificate(doc.value.certificate), cabundle: doc.value.cabundle.map((c) => new X509Certificate(c)) };
}

function dcapChains() {
  return [sgxFixture(), tdxFixture()].map((f) => {
    const quote = parseQuote(f.quote);
    assert.ok(quote.ok);
    const c = f.collateral;
    return {
      root: new X509Certificate(f.rootDer),
      pck: pemCerts(quote.value.pckChainPem),
      crlIssuer: pemCerts(c.pck_crl_issuer_chain),
      tcbSigning: pemCerts(c.tcb_info_issuer_chain),
      qeSigning: pemCerts(c.qe_identity_issuer_chain),
    };
  });
}

test('every real vendor issuer in the fixtures may issue: AWS root and cabundle, AMD ARKs/ASKs/ASVKs, Intel root and PCK CAs', () => {
  const issuers: Array<[string, X509Certificate]> = [['AWS root', awsNitroRoot()]];
  nitroCertificates().cabundle.forEach((c, i) => issuers.push([`Nitro cabundle ${i}`, c]));
  amdRoots().forEach((c, i) => issuers.push([`AMD root ${i}`, c]));
  amdIntermediates().forEach((c, i) => issuers.push([`AMD built-in intermediate ${i}`, c]));
  const snpRoots = readdirSync(new URL('../fixtures/snp/roots/', import.meta.url)).filter((n) => n.endsWith('.pem'));
  assert.ok(snpRoots.length >= 9);
  for (const name of snpRoots) pemCerts(rootPem(name.slice(0, -4))).forEach((c, i) => issuers.push([`snp/roots/${name} #${i}`, c]));
  issuers.push(['Intel root', intelSgxRootCa()]);
  for (const chain of dcapChains()) {
    issuers.push(['DCAP fixture root', chain.root], ...chain.pck.slice(1).map((c, i): [string, X509Certificate] => [`PCK chain ${i + 1}`, c]));
    issuers.push(...chain.crlIssuer.map((c, i): [string, X509Certificate] => [`PCK CRL issuer chain ${i}`, c]));
    issuers.push(['TCB info chain root', chain.tcbSigning[1]], ['QE identity chain root', chain.qeSigning[1]]);
  }
  assert.ok(issuers.length >= 40, String(issuers.length));
  for (const [what, cert] of issuers) assert.equal(issuerProblem(cert, what), undefined, what);
});

test('every real leaf is refused as an issuer: Nitro enclave, VCEK, VLEK, PCK, TCB and QE identity signing', () => {
  const leaves: Array<[string, X509Certificate]> = [
    ['Nitro leaf', nitroCertificates().leaf], ['VCEK', new X509Certificate(vcekDer())], ['VLEK', new X509Certificate(vlekDer())],
  ];
  for (const chain of dcapChains()) leaves.push(['PCK', chain.pck[0]], ['TCB signing', chain.tcbSigning[0]], ['QE identity signing', chain.qeSigning[0]]);
  for (const [what, cert] of leaves) assert.equal(issuerProblem(cert, what), `${what} issues a certificate but is not a CA`);
});

test('keyUsage: keyCertSign in any valid encoding or no keyUsage passes; without it, or malformed, a named refusal without bytes', () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
  const cert = (ca: boolean, keyUsage: Uint8Array | null) => new X509Certificate(buildCertificate({
    subject: { CN: 'x' }, issuer: { CN: 'x' }, subjectKey: keys.publicKey, issuerPublicKey: keys.publicKey, issuerPrivateKey: keys.privateKey,
    notBefore: 0, notAfter: Date.UTC(2040, 0), ca, keyUsage,
  }));
  assert.equal(issuerProblem(cert(true, null), 'it'), undefined);
  for (const [what, keyUsage] of Object.entries(WITH_KEY_CERT_SIGN)) assert.equal(issuerProblem(cert(true, keyUsage), 'it'), undefined, what);
  for (const [what, keyUsage] of Object.entries(WITHOUT_KEY_CERT_SIGN)) {
    assert.equal(issuerProblem(cert(true, keyUsage), 'it'), 'it issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)', what);
  }
  for (const [what, keyUsage] of Object.entries(MALFORMED)) {
    const c = cert(true, keyUsage);
    const problem = issuerProblem(c, 'it');
    assert.equal(problem, 'it has an unreadable keyUsage extension', what);
    assert.ok(!problem.includes(Buffer.from(keyUsage).toString('hex')) && !problem.includes(c.raw.toString('base64').slice(0, 16)), what);
  }
  // CA:FALSE is refused whatever the keyUsage.
  for (const keyUsage of [null, WITH_KEY_CERT_SIGN['keyCertSign and cRLSign']]) assert.equal(issuerProblem(cert(false, keyUsage), 'it'), 'it issues a certificate but is not a CA');
});
