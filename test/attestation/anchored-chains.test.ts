/**
 * No key of a presented certificate chain checks a signature before its certificate chains to a
 * trusted root. The chains here are made of RSA keys whose public exponent is as long as their
 * modulus, so every check under one costs a full modular exponentiation (~100× an ordinary one):
 * checked leaf first, such a chain ending in no trusted root made one unauthenticated login cost
 * tens of milliseconds of the server's only thread. The tests watch which keys
 * X509Certificate#verify is called with.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { verifyNitroDocument, createCertificateCache } from '../../src/attestation/nitro/index.js';
import { verifyChain as verifyDcapChain } from '../../src/attestation/dcap/chain.js';
import { amdRoots, verifySnpChain } from '../../src/attestation/snp/index.js';
import { subjectDer } from '../../src/attestation/x509/crl.js';
import { certify, costlyRsaKey, type Certified } from './costly-keys.js';
import { nitroDocument } from './nitro/documents.js';

const NOW = Date.now();
const p384 = () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' });

/** The public keys `run` made X509Certificate#verify use, in order. */
function keysUsedBy(run: () => void): KeyObject[] {
  const used: KeyObject[] = [];
  const original = X509Certificate.prototype.verify;
  X509Certificate.prototype.verify = function (this: X509Certificate, key: KeyObject) {
    used.push(key);
    return original.call(this, key);
  };
  try {
    run();
  } finally {
    X509Certificate.prototype.verify = original;
  }
  return used;
}

const presentedKeysUsed = (used: KeyObject[], presented: readonly Certified[]) =>
  used.filter((k) => presented.some((c) => c.keys.publicKey.equals(k))).length;

/** `length` costly CA certificates, each issued by the one before; the first is issued by `top` (self-signed without). */
function costlyCas(length: number, top?: Pick<Certified, 'name' | 'keys'>): Certified[] {
  const cas: Certified[] = [];
  for (let i = 0; i < length; i++) cas.push(certify(NOW, `Hostile CA ${i}`, costlyRsaKey(2048, 1990), cas[i - 1] ?? top, true));
  return cas;
}

// A trusted root, and a hostile chain whose top claims it as its issuer (its name, another key).
const trustedKeys = p384();
const trusted = certify(NOW, 'Trusted root', trustedKeys, undefined, true);
const trustedRoot = new X509Certificate(trusted.der);
const cas = costlyCas(8, { name: trusted.name, keys: p384() });

test('Nitro: a cabundle of costly keys that does not chain to a trusted root is refused without using one of its keys', () => {
  const leafKeys = p384();
  const leaf = certify(NOW, 'enclave', leafKeys, cas.at(-1), false);
  // The document lists the root first, as AWS's do.
  const doc = nitroDocument(NOW, { der: leaf.der, dn: { CN: 'enclave' }, keys: leafKeys }, cas.map((c) => c.der));
  for (const cache of [undefined, createCertificateCache()]) {
    let code: string | undefined;
    const used = keysUsedBy(() => {
      const result = verifyNitroDocument(doc, { trustedRoots: [trustedRoot], now: NOW, cache });
      code = result.ok ? 'ok' : result.code;
    });
    assert.equal(code, 'untrusted_root');
    assert.equal(presentedKeysUsed(used, [...cas, leaf]), 0, 'a presented key checked a signature');
    // The top's claim to be issued by the trusted root was checked, under the root's own key.
    assert.ok(used.some((k) => k.equals(trustedKeys.publicKey)));
  }
});

test('Nitro: a chain that does end in a trusted root is checked link by link under its own keys (the watch sees them)', () => {
  const honest = costlyCas(2, trusted);
  const leafKeys = p384();
  const leaf = certify(NOW, 'enclave', leafKeys, honest.at(-1), false);
  const doc = nitroDocument(NOW, { der: leaf.der, dn: { CN: 'enclave' }, keys: leafKeys }, honest.map((c) => c.der));
  let ok = false;
  const used = keysUsedBy(() => { ok = verifyNitroDocument(doc, { trustedRoots: [trustedRoot], now: NOW }).ok; });
  // The document's PCRs match no policy here; the chain and the signature are what is checked.
  assert.equal(ok, true);
  assert.equal(presentedKeysUsed(used, honest), 2);
});

test('DCAP: a PCK chain of costly keys that does not chain to a trusted root is refused without using one of its keys', () => {
  const leaf = certify(NOW, 'PCK', generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), cas[2], false);
  const chain = [leaf, cas[2], cas[1], cas[0]];
  let result: { ok: boolean; code?: string } = { ok: true };
  const used = keysUsedBy(() => { result = verifyDcapChain('the PCK certificate chain', chain.map((c) => new X509Certificate(c.der)), [trustedRoot], NOW); });
  assert.equal(result.ok ? 'ok' : result.code, 'untrusted_root');
  assert.equal(presentedKeysUsed(used, chain), 0, 'a presented key checked a signature');
});

test('SEV-SNP: supplied ASKs of costly keys named as the VCEK\'s issuer are refused without using one of their keys', () => {
  const arkMilan = amdRoots().find((r) => r.subject.includes('ARK-Milan'));
  assert.ok(arkMilan);
  // Seven "ASKs" claiming the real ARK-Milan as issuer, and a VCEK issued by the last of them.
  const asks = Array.from({ length: 7 }, () => certify(NOW, 'SEV-Milan', costlyRsaKey(2048, 1990), { name: subjectDer(arkMilan), keys: costlyRsaKey(2048, 17) }, true));
  const vcek = certify(NOW, 'SEV-VCEK', p384(), asks[6], false);
  const supplied = [vcek, ...asks].map((c) => new X509Certificate(c.der));
  let result: { ok: boolean; code?: string } = { ok: true };
  const used = keysUsedBy(() => { result = verifySnpChain(supplied, amdRoots(), NOW); });
  assert.equal(result.ok ? 'ok' : result.code, 'untrusted_root');
  assert.equal(presentedKeysUsed(used, [vcek, ...asks]), 0, 'a presented key checked a signature');
  // Each distinct ASK's claim was put to the trusted ARK's key, once.
  assert.equal(used.filter((k) => k.equals(arkMilan.publicKey)).length, asks.length);
});
