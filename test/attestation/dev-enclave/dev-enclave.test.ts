import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode, encode } from 'cbor2';
import {
  awsNitroRoot, createDevCa, createDevEnclave, loadDevCaFromDir, parseCoseSign1, readDevCaRootPem, saveDevCa, verifyNitroDocument,
} from '../../../src/attestation/index.js';
import { SealtrailError } from '../../../src/errors/index.js';
import { manualClock } from '../../../src/lib/clock.js';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);
const IMAGE = 'ab'.repeat(48);
const SIGNER = 'cd'.repeat(48);
const clock = manualClock(T0);
const ca = createDevCa({ clock });
const enclave = createDevEnclave({ ca, clock, pcrs: { 0: IMAGE, 8: SIGNER, 4: 'ef'.repeat(48) } });
const nonce = new Uint8Array(32).fill(9);

test('a dev-enclave document verifies with its CA root trusted, with the chosen claims', () => {
  const doc = enclave.attest({ nonce, publicKey: Buffer.from('pk'), userData: Buffer.from('ud') });
  const result = verifyNitroDocument(doc, { trustedRoots: [ca.material.rootCertPem], now: T0, expectedNonce: nonce });
  assert.ok(result.ok, JSON.stringify(result));
  const c = result.claims;
  assert.deepEqual(
    [c.enclaveId, c.signerId, c.measurements['4'], c.measurements['1'], c.debug, c.timestamp, c.moduleId],
    [IMAGE, SIGNER, 'ef'.repeat(48), '00'.repeat(48), false, T0, 'i-00000000000000000-enc-sealtrail-dev'],
  );
  assert.deepEqual(Object.keys(c.measurements).length, 16);
  assert.equal(Buffer.from(c.publicKey!).toString(), 'pk');
  assert.equal(Buffer.from(c.userData!).toString(), 'ud');
  assert.deepEqual(c.nonce, nonce);
});

test('it has the AWS layout: untagged COSE_Sign1, ES384 header, nine payload fields in order', () => {
  const cose = parseCoseSign1(enclave.attest({ nonce }));
  assert.ok(cose.ok);
  assert.equal(Buffer.from(cose.value.protectedBytes).toString('hex'), 'a1013822');
  assert.equal(cose.value.signature.length, 96);
  const payload = decode(cose.value.payload, { preferMap: true }) as Map<string, unknown>;
  assert.deepEqual([...payload.keys()], ['module_id', 'digest', 'timestamp', 'pcrs', 'certificate', 'cabundle', 'public_key', 'user_data', 'nonce']);
  assert.equal((payload.get('cabundle') as unknown[]).length, 2);
});

test('its hand-framed bytes are exactly what a general CBOR encoder produces for the same document', () => {
  const cases = [
    enclave.attest({ nonce }),
    enclave.attest({ nonce: null, publicKey: new Uint8Array(300).fill(1), userData: new Uint8Array(70000).fill(2) }),
    enclave.attest({ pcrs: { 0: '11'.repeat(48), 23: '22'.repeat(48) } }),
  ];
  for (const doc of cases) {
    const top = decode(doc, { preferMap: true }) as [Uint8Array, Map<never, never>, Uint8Array, Uint8Array];
    const payload = decode(top[2], { preferMap: true });
    assert.deepEqual(Buffer.from(encode(payload)), Buffer.from(top[2]));
    assert.deepEqual(Buffer.from(encode(top)), Buffer.from(doc));
  }
  const withPcr23 = decode(parseCoseSign1OrThrow(cases[2]).payload, { preferMap: true }) as Map<string, Map<number, Uint8Array>>;
  assert.equal(Buffer.from(withPcr23.get('pcrs')!.get(23)!).toString('hex'), '22'.repeat(48));
  assert.equal(withPcr23.get('nonce'), null);
});

const parseCoseSign1OrThrow = (doc: Uint8Array) => {
  const cose = parseCoseSign1(doc);
  if (!cose.ok) throw new Error(cose.message);
  return cose.value;
};

test('a dev-enclave document is refused without its CA: AWS root only, another dev CA, nothing', () => {
  const doc = enclave.attest({ nonce });
  const other = createDevCa({ clock });
  for (const roots of [[awsNitroRoot()], [other.root], []]) {
    const result = verifyNitroDocument(doc, { trustedRoots: roots, now: T0 });
    assert.equal(result.ok ? 'ok' : result.code, 'untrusted_root');
  }
});

test('the CA certificates are CAs and the leaf is short-lived', () => {
  assert.equal(ca.root.ca, true);
  assert.equal(ca.intermediate.ca, true);
  assert.equal(ca.intermediate.checkIssued(ca.root), true);
  assert.equal(ca.intermediate.verify(ca.root.publicKey), true);
  const doc = enclave.attest({ nonce });
  const late = verifyNitroDocument(doc, { trustedRoots: [ca.root], now: T0 + 3 * 3_600_000 + 1, maxAgeMs: Infinity });
  assert.equal(late.ok ? 'ok' : late.code, 'certificate_expired');
});

test('nonce, PCR override and debug mode', () => {
  const wrong = verifyNitroDocument(enclave.attest({ nonce: new Uint8Array(32) }), { trustedRoots: [ca.root], now: T0, expectedNonce: nonce });
  assert.equal(wrong.ok ? 'ok' : wrong.code, 'nonce_mismatch');
  const debugDoc = enclave.attest({ nonce, pcrs: { 0: '00'.repeat(48) } });
  const refused = verifyNitroDocument(debugDoc, { trustedRoots: [ca.root], now: T0 });
  assert.equal(refused.ok ? 'ok' : refused.code, 'debug_not_allowed');
  const allowed = verifyNitroDocument(debugDoc, { trustedRoots: [ca.root], now: T0, allowDebug: true });
  assert.equal(allowed.ok && allowed.claims.debug, true);
  assert.throws(() => createDevEnclave({ ca, clock, pcrs: { 0: 'abc' } }), /PCR0 must be 48 bytes/);
});

test('a persisted CA reloads, issues verifiable documents and is never overwritten', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sealtrail-dev-ca-'));
  try {
    await saveDevCa(join(dir, 'ca'), ca);
    assert.equal((await stat(join(dir, 'ca', 'intermediate-key.pem'))).mode & 0o777, 0o600);
    assert.equal(await readDevCaRootPem(join(dir, 'ca')), ca.material.rootCertPem);
    await assert.rejects(saveDevCa(join(dir, 'ca'), createDevCa({ clock })), (err) => err instanceof SealtrailError && err.code === 'dev_ca_exists');
    const reloaded = await loadDevCaFromDir(join(dir, 'ca'));
    const doc = createDevEnclave({ ca: reloaded, clock, pcrs: { 0: IMAGE } }).attest({ nonce });
    assert.equal(verifyNitroDocument(doc, { trustedRoots: [await readFile(join(dir, 'ca', 'root.pem'), 'utf8')], now: T0 }).ok, true);
    await assert.rejects(loadDevCaFromDir(join(dir, 'missing')), (err) => err instanceof SealtrailError && err.code === 'dev_ca_missing');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
