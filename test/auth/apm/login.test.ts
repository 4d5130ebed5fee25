import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDevCa, createDevEnclave, createPlatformVerifiers, type AttestationClaims, type PlatformVerifier } from '../../../src/attestation/index.js';
import { APM_UNAUTHENTICATED_PATHS, entityIdFor } from '../../../src/auth/apm/index.js';
import { MAX_EVIDENCE_BYTES } from '../../../src/auth/apm/login.js';
import type { LogicalResponse, TokenEntry } from '../../../src/core/index.js';
import { SealtrailError } from '../../../src/errors/index.js';
import type { JournalAppend } from '../../../src/journal/index.js';
import * as der from '../../../src/lib/der.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import { putJson } from '../../../src/storage/index.js';
import { extension } from '../../attestation/added-extensions.js';
import { WITHOUT_KEY_CERT_SIGN } from '../../attestation/key-usage.js';
import { issue, nitroDocument, type Issued } from '../../attestation/nitro/documents.js';
import { harness, IMAGE, OTHER_IMAGE, SIGNER, T0 } from './helpers.js';

const fails = (kind: string, code: string) => (err: unknown) => {
  assert.ok(err instanceof SealtrailError, String(err));
  assert.deepEqual([err.kind, err.code], [kind, code], err.message);
  // The core audits the error text: it must not carry the measurements.
  assert.ok(!err.message.includes(IMAGE.slice(0, 16)) && !err.message.includes(SIGNER.slice(0, 16)), err.message);
  return true;
};

async function withRoles(h: Awaited<ReturnType<typeof harness>>) {
  await h.call('update', 'role/signer-role', { platform: 'nitro', signer_id: SIGNER.toUpperCase(), token_policies: 'app-read', token_ttl: '1h', token_num_uses: 10 });
  await h.call('update', 'role/enclave-role', { platform: 'nitro', signer_id: SIGNER, enclave_id: IMAGE, token_policies: ['build-read'], token_ttl: 600 });
}

test('init answers a correlation id and a 32-byte challenge nested under data.data', async () => {
  const h = await harness();
  const res = await h.call('update', 'v0/attest/nitro/init');
  const inner = (res!.data as { data: Record<string, string> }).data;
  assert.deepEqual(Object.keys(inner).sort(), ['challenge', 'correlation_id']);
  assert.match(inner.correlation_id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/); // UUIDv8: self-authenticating (challenges.ts)
  assert.equal(Buffer.from(inner.challenge, 'base64').length, 32);
  assert.deepEqual(h.backend.unauthenticatedPaths, APM_UNAUTHENTICATED_PATHS);
});

test('an authorized signer logs in; every admitting role contributes to the grant', async () => {
  const h = await harness();
  await withRoles(h);
  const { correlationId, challenge } = await h.init();
  const res = await h.auth(correlationId, h.evidence(challenge));
  assert.deepEqual(res, {
    auth: {
      policies: ['app-read', 'build-read'],
      displayName: `anjuna-entity-${SIGNER}-${IMAGE}`,
      metadata: { platform: 'nitro', signer_id: SIGNER, enclave_id: IMAGE, role: 'enclave-role,signer-role' },
      entityId: entityIdFor(SIGNER, IMAGE),
      entityCreated: true, // the entity's first login
      ttl: 600, // the strictest non-zero TTL of the two roles
      numUses: 10,
      renewable: true,
    },
    data: { data: { correlation_id: correlationId, enclave_id: IMAGE, signer_id: SIGNER } },
  });

  // Another image of the same signer: only the signer role admits it.
  const second = await h.init();
  const other = await h.auth(second.correlationId, h.evidence(second.challenge, OTHER_IMAGE));
  assert.deepEqual([other!.auth!.policies, other!.auth!.ttl, other!.auth!.numUses, other!.auth!.metadata.role], [['app-read'], 3600, 10, 'signer-role']);
});

test('two logins of the same image give the same entity id; only the first creates it', async () => {
  const h = await harness();
  await withRoles(h);
  const ids = [];
  const created = [];
  for (let i = 0; i < 2; i++) {
    const { correlationId, challenge } = await h.init();
    const { auth } = (await h.auth(correlationId, h.evidence(challenge)))!;
    ids.push(auth!.entityId);
    created.push(auth!.entityCreated);
  }
  assert.equal(ids[0], ids[1]);
  assert.deepEqual(created, [true, false]);
  assert.notEqual(ids[0], entityIdFor(SIGNER, OTHER_IMAGE));
});

test('a wrong PCR0 under an enclave-only role is refused', async () => {
  const h = await harness();
  await h.call('update', 'role/only-build', { platform: 'nitro', signer_id: SIGNER, enclave_id: IMAGE, token_policies: 'x' });
  const { correlationId, challenge } = await h.init();
  await assert.rejects(h.auth(correlationId, h.evidence(challenge, OTHER_IMAGE)), fails('permission', 'no_matching_role'));
});

test('further PCR requirements must all match', async () => {
  const h = await harness();
  await h.call('update', 'role/pinned', { platform: 'nitro', signer_id: SIGNER, pcrs: { 4: 'ef'.repeat(48) }, token_policies: 'x' });
  const { correlationId, challenge } = await h.init();
  await assert.rejects(h.auth(correlationId, h.evidence(challenge)), fails('permission', 'no_matching_role'));
  const again = await h.init();
  const doc = createDevEnclave({ ca: h.ca, clock: h.clock, pcrs: { 0: IMAGE, 8: SIGNER, 4: 'ef'.repeat(48) } }).attest({ nonce: again.challenge });
  const res = await h.auth(again.correlationId, Buffer.from(doc).toString('base64'));
  assert.equal(res!.auth!.metadata.role, 'pinned');
});

test('a replayed challenge is refused', async () => {
  const h = await harness();
  await withRoles(h);
  const { correlationId, challenge } = await h.init();
  const evidence = h.evidence(challenge);
  await h.auth(correlationId, evidence);
  await assert.rejects(h.auth(correlationId, evidence), fails('invalid', 'challenge_replayed'));
});

test('a failed attempt also consumes the challenge', async () => {
  const h = await harness();
  await withRoles(h);
  const { correlationId, challenge } = await h.init();
  await assert.rejects(h.auth(correlationId, h.evidence(new Uint8Array(32))), fails('permission', 'attestation_nonce_mismatch'));
  await assert.rejects(h.auth(correlationId, h.evidence(challenge)), fails('invalid', 'challenge_replayed'));
});

test('an expired challenge is refused; the TTL is configurable', async () => {
  const h = await harness();
  await withRoles(h);
  const first = await h.init();
  h.clock.advance(5 * 60_000 + 1);
  await assert.rejects(h.auth(first.correlationId, h.evidence(first.challenge)), fails('invalid', 'challenge_expired'));

  await h.call('update', 'config', { challenge_ttl: '30s' });
  assert.deepEqual((await h.call('read', 'config'))!.data, { challenge_ttl: 30 });
  const second = await h.init();
  h.clock.advance(31_000);
  await assert.rejects(h.auth(second.correlationId, h.evidence(second.challenge)), fails('invalid', 'challenge_expired'));
  const third = await h.init();
  h.clock.advance(29_000);
  assert.ok((await h.auth(third.correlationId, h.evidence(third.challenge)))!.auth);
});

test('unknown correlation ids, other platforms and bad input are refused', async () => {
  const h = await harness();
  await assert.rejects(h.auth('00000000-0000-4000-8000-000000000000', h.evidence(null)), fails('invalid', 'challenge_unknown'));
  await assert.rejects(h.call('update', 'v0/attest/sev/init'), fails('invalid', 'unsupported_platform'));
  await assert.rejects(h.auth((await h.init()).correlationId, 'not base64!'), fails('invalid', 'invalid_field'));
  await assert.rejects(h.call('update', 'v0/attest/nitro/auth', { message: 'AAAA' }), fails('invalid', 'invalid_field'));
  await assert.rejects(h.auth((await h.init()).correlationId, Buffer.from('garbage').toString('base64')), fails('invalid', 'evidence_malformed'));
});

test('a login naming a live challenge consumes it, whatever is wrong with the rest of the request', async () => {
  const h = await harness();
  await withRoles(h);
  const tooMuch = Buffer.alloc(MAX_EVIDENCE_BYTES + 3).toString('base64');
  const cases: Array<[string, Record<string, unknown>, string, string]> = [
    ['no message', {}, 'invalid_field', 'missing "message"'],
    ['a message that is not text', { message: 42 }, 'invalid_field', 'missing "message"'],
    ['a message that is not base64', { message: 'not base64!' }, 'invalid_field', '"message" must be base64-encoded attestation evidence'],
    ['text longer than the largest evidence', { message: 'A'.repeat(520_000) }, 'invalid_field', `"message" is longer than ${MAX_EVIDENCE_BYTES} bytes of evidence can be`],
    ['more bytes than the largest evidence', { message: tooMuch }, 'invalid_field', `"message" holds more than ${MAX_EVIDENCE_BYTES} bytes of evidence`],
    ['certificates with Nitro evidence', { message: 'AAAA', certificates: ['AAAA'] }, 'invalid_field', '"certificates" does not apply to nitro evidence'],
    ['evidence that is not COSE', { message: Buffer.from('garbage').toString('base64') }, 'evidence_malformed', ''],
  ];
  for (const [what, body, code, message] of cases) {
    const { correlationId, challenge } = await h.init();
    await assert.rejects(h.call('update', 'v0/attest/nitro/auth', { correlation_id: correlationId, ...body }), (err) => {
      fails('invalid', code)(err);
      if (message) assert.equal((err as SealtrailError).message, message, what);
      // The response entry files the refusal under the challenge it used up.
      assert.deepEqual((err as SealtrailError).auditData?.data, { correlation_id: correlationId }, what);
      return true;
    });
    await assert.rejects(h.auth(correlationId, h.evidence(challenge)), fails('invalid', 'challenge_replayed'), what);
  }
});

test('evidence text longer than the largest evidence is refused unread; wrapped base64 logs in', async () => {
  const h = await harness();
  await withRoles(h);
  // A megabyte of " A" pairs: whitespace stripping and the base64 check used to stall the event loop ~200 ms.
  await assert.rejects(h.auth((await h.init()).correlationId, ' A'.repeat(520_000)), (err) => {
    fails('invalid', 'invalid_field')(err);
    assert.equal((err as Error).message, `"message" is longer than ${MAX_EVIDENCE_BYTES} bytes of evidence can be`);
    return true;
  });
  const { correlationId, challenge } = await h.init();
  await assert.rejects(h.auth((await h.init()).correlationId, `Q\u00a0${h.evidence(challenge)}`), fails('invalid', 'invalid_field'));
  const wrapped = h.evidence(challenge).replace(/(.{64})/g, '$1\r\n');
  const res = await h.auth(correlationId, ` ${wrapped}\n`);
  assert.deepEqual(res?.auth?.policies, ['app-read', 'build-read']);
});

test('snp certificates of repeated BEGIN lines are refused at once', async () => {
  const h = await harness();
  const { correlationId } = await h.init('snp');
  // 540 KB: each BEGIN without an END used to be scanned to the end of the text (5 s in all).
  const begins = '-----BEGIN CERTIFICATE-----'.repeat(20_000);
  const started = performance.now();
  await assert.rejects(h.call('update', 'v0/attest/snp/auth', { correlation_id: correlationId, message: 'AAAA', certificates: [begins] }), fails('invalid', 'invalid_field'));
  const ms = performance.now() - started;
  assert.ok(ms < 2000, `${ms.toFixed(0)} ms`); // 5 s before the fix: a bound a loaded machine still meets
});

test('collateral JSON text nested deeper than a DCAP collateral document could is refused unparsed', async () => {
  const h = await harness();
  const document = readFileSync(new URL('../../fixtures/tdx/01_phala_tdx_v4_uptodate/tdx_quote_collateral.json', import.meta.url), 'utf8');
  // A megabyte of brackets held the event loop ~0.3 s in JSON.parse on every unauthenticated login.
  const deep = `${document.trimEnd().slice(0, -1)},"x":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const { correlationId } = await h.init('tdx');
  await assert.rejects(h.call('update', 'v0/attest/tdx/auth', { correlation_id: correlationId, message: 'AAAA', collateral: deep }), (err) => {
    fails('invalid', 'invalid_field')(err);
    assert.equal((err as Error).message, '"collateral" must be the DCAP collateral JSON document: it nests deeper than 16 levels');
    return true;
  });
  await assert.rejects(h.call('update', 'config/tdx', { collateral: deep }), fails('invalid', 'invalid_field'));
});

test('a correlation_id that is not a UUID is refused before the challenge is looked up, and never echoed', async () => {
  const h = await harness();
  const { correlationId } = await h.init();
  for (const bad of ['X'.repeat(900_000), 'not-a-uuid', `${correlationId}x`, ` ${correlationId}`, correlationId.replace(/-/g, '')]) {
    await assert.rejects(h.auth(bad, h.evidence(null)), (err) => {
      fails('invalid', 'invalid_field')(err);
      const e = err as SealtrailError;
      assert.equal(e.message, '"correlation_id" must be the UUID that init returned');
      assert.equal(e.auditData, undefined, 'nothing of it goes into the response entry');
      return true;
    });
  }
  // The challenge was not spent by those attempts; an upper-case spelling is still the same id.
  await assert.rejects(h.auth(correlationId.toUpperCase(), h.evidence(null)), fails('permission', 'attestation_nonce_mismatch'));
});

test('a nonce that is not the challenge is refused', async () => {
  const h = await harness();
  await withRoles(h);
  const { correlationId } = await h.init();
  const other = await h.init();
  await assert.rejects(h.auth(correlationId, h.evidence(other.challenge)), fails('permission', 'attestation_nonce_mismatch'));
});

test('a document signed by an untrusted CA is refused', async () => {
  const h = await harness();
  await withRoles(h);
  const { correlationId, challenge } = await h.init();
  const rogue = createDevEnclave({ ca: createDevCa({ clock: h.clock }), clock: h.clock, pcrs: { 0: IMAGE, 8: SIGNER } }).attest({ nonce: challenge });
  await assert.rejects(h.auth(correlationId, Buffer.from(rogue).toString('base64')), fails('permission', 'attestation_untrusted_root'));
});

/** The harness's dev intermediate CA as an issuer of test certificates. */
function devIntermediate(h: Awaited<ReturnType<typeof harness>>): Issued {
  return {
    der: h.ca.intermediate.raw,
    dn: { C: 'US', O: 'Sealtrail', OU: 'development enclave', CN: 'sealtrail-dev-enclave intermediate' },
    keys: { publicKey: h.ca.intermediate.publicKey, privateKey: createPrivateKey(h.ca.material.intermediateKeyPem) },
  };
}

test('a CA issued by the dev intermediate (pathLen 0) cannot vouch for an enclave (the probe\'s rogue sub-CA)', async () => {
  const h = await harness();
  await withRoles(h);
  const intermediate = devIntermediate(h);
  const rogue = issue(T0, 'rogue sub CA', intermediate, { ca: true });
  const refused = await h.init();
  const underRogue = nitroDocument(T0, issue(T0, 'leaf', rogue, { ca: false }), [h.ca.root.raw, h.ca.intermediate.raw, rogue.der], { nonce: refused.challenge, pcr: 'cd' });
  await assert.rejects(h.auth(refused.correlationId, Buffer.from(underRogue).toString('base64')), fails('permission', 'attestation_not_ca'));
  // The same document under the intermediate itself logs in: only the extra CA was refused.
  const admitted = await h.init();
  const direct = nitroDocument(T0, issue(T0, 'leaf', intermediate, { ca: false }), [h.ca.root.raw, h.ca.intermediate.raw], { nonce: admitted.challenge, pcr: 'cd' });
  assert.deepEqual((await h.auth(admitted.correlationId, Buffer.from(direct).toString('base64')))!.auth!.policies, ['app-read']);
});

test('a leaf the dev intermediate signed with an unrecognised critical extension is refused, naming the extension', async () => {
  const h = await harness();
  await withRoles(h);
  const intermediate = devIntermediate(h);
  const login = async (critical: boolean) => {
    const { correlationId, challenge } = await h.init();
    const leaf = issue(T0, 'leaf', intermediate, { ca: false, extensions: [extension('1.3.6.1.4.1.99999.2', critical, der.nullValue())] });
    const doc = nitroDocument(T0, leaf, [h.ca.root.raw, h.ca.intermediate.raw], { nonce: challenge, pcr: 'cd' });
    return h.auth(correlationId, Buffer.from(doc).toString('base64'));
  };
  await assert.rejects(login(true), (err) => {
    fails('permission', 'attestation_unknown_critical_extension')(err);
    assert.equal((err as SealtrailError).message, 'attestation failed: the leaf certificate has an unrecognised critical extension (1.3.6.1.4.1.99999.2)');
    return true;
  });
  assert.deepEqual((await login(false))!.auth!.policies, ['app-read']);
});

test('a CA under the trusted root whose keyUsage lacks keyCertSign cannot vouch for an enclave: the reason is in the response and the journal record, without certificate bytes', async () => {
  const records: JournalAppend[] = [];
  const h = await harness({ journal: { append: async (record) => void records.push(record) } });
  await withRoles(h);
  const root: Issued = {
    der: h.ca.root.raw,
    dn: { C: 'US', O: 'Sealtrail', OU: 'development enclave', CN: 'sealtrail-dev-enclave root' },
    keys: { publicKey: h.ca.root.publicKey, privateKey: createPrivateKey(h.ca.material.rootKeyPem) },
  };
  const signingOnly = issue(T0, 'signing-only CA', root, { ca: true, keyUsage: WITHOUT_KEY_CERT_SIGN.digitalSignature });
  const leaf = issue(T0, 'leaf', signingOnly, { ca: false });
  const { correlationId, challenge } = await h.init();
  const doc = nitroDocument(T0, leaf, [h.ca.root.raw, signingOnly.der], { nonce: challenge, pcr: 'cd' });
  const reason = 'attestation failed: cabundle certificate 1 issues a certificate but its keyUsage does not allow certificate signing (keyCertSign)';
  await assert.rejects(h.auth(correlationId, Buffer.from(doc).toString('base64')), (err) => {
    fails('permission', 'attestation_not_ca')(err);
    assert.equal((err as SealtrailError).message, reason);
    return true;
  });
  assert.equal(records.length, 1);
  const record = JSON.parse(records[0].text) as Record<string, unknown>;
  assert.deepEqual([record.verdict, record.reason, record.correlation_id], ['failed', reason, correlationId]);
  for (const der of [signingOnly.der, leaf.der]) {
    for (const needle of [Buffer.from(der).toString('hex').slice(-32), Buffer.from(der).toString('base64').slice(-24)]) assert.ok(!records[0].text.includes(needle));
  }
});

test('without dev mode the dev CA is not trusted; an operator root makes it trusted', async () => {
  const h = await harness({ trustDevCa: false });
  await withRoles(h);
  const first = await h.init();
  await assert.rejects(h.auth(first.correlationId, h.evidence(first.challenge)), fails('permission', 'attestation_untrusted_root'));
  await h.call('update', 'config/nitro', { trusted_roots_pem: h.ca.material.rootCertPem, include_aws_root: false, max_evidence_age: '2m' });
  assert.deepEqual((await h.call('read', 'config/nitro'))!.data, {
    trusted_roots_pem: h.ca.material.rootCertPem, include_aws_root: false, include_vendor_root: false, max_evidence_age: 120, allow_debug: false,
  });
  const second = await h.init();
  assert.ok((await h.auth(second.correlationId, h.evidence(second.challenge)))!.auth);
  await assert.rejects(h.call('update', 'config/nitro', { trusted_roots_pem: 'nope' }), fails('invalid', 'invalid_trusted_root'));
});

test('debug-mode evidence needs a role or the platform config to allow it', async () => {
  const h = await harness();
  const zero = '00'.repeat(48);
  await h.call('update', 'role/debug', { platform: 'nitro', signer_id: SIGNER, token_policies: 'x' });
  const first = await h.init();
  await assert.rejects(h.auth(first.correlationId, h.evidence(first.challenge, zero)), (err) => {
    fails('permission', 'debug_not_allowed')(err);
    // The caller's message is the one an unknown enclave gets; only the audit text says why.
    assert.equal((err as SealtrailError).message, 'attestation refused: no role authorizes this enclave');
    assert.equal((err as SealtrailError).auditMessage, 'attestation refused: debug-mode enclaves are not allowed by the matching roles');
    return true;
  });
  await h.call('update', 'role/debug', { platform: 'nitro', signer_id: SIGNER, token_policies: 'x', allow_debug: true });
  const second = await h.init();
  assert.equal((await h.auth(second.correlationId, h.evidence(second.challenge, zero)))!.auth!.metadata.enclave_id, zero);
});

test('two simultaneous auth calls with one challenge: exactly one succeeds', async () => {
  const h = await harness();
  await withRoles(h);
  const { correlationId, challenge } = await h.init();
  const evidence = h.evidence(challenge);
  const results = await Promise.allSettled([h.auth(correlationId, evidence), h.auth(correlationId, evidence), h.auth(correlationId, evidence)]);
  assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
  for (const r of results) if (r.status === 'rejected') fails('invalid', 'challenge_replayed')(r.reason);
});

test('evidence older than max_evidence_age is refused', async () => {
  const h = await harness();
  await withRoles(h);
  await h.call('update', 'config/nitro', { max_evidence_age: '10s' });
  const { correlationId, challenge } = await h.init();
  const evidence = h.evidence(challenge);
  h.clock.advance(11_000);
  await assert.rejects(h.auth(correlationId, evidence), fails('permission', 'attestation_evidence_too_old'));
  assert.equal(T0 + 11_000, h.clock.now());
});

test('a debug-mode login, or a token answered in clear, stops renewing once its roles no longer allow debug or bind the token to the enclave key', async () => {
  const h = await harness();
  const zero = '00'.repeat(48);
  const role = (rules: Record<string, unknown>) => h.call('update', 'role/r', { platform: 'nitro', signer_id: SIGNER, token_policies: 'p', ...rules });
  const renewal = (auth: NonNullable<LogicalResponse['auth']>) => h.backend.authorizeRenewal!({ meta: auth.metadata, policies: ['default', ...auth.policies] } as unknown as TokenEntry);
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const login = async (image: string, withKey = false) => {
    const { correlationId, challenge } = await h.init();
    const document = createDevEnclave({ ca: h.ca, clock: h.clock, pcrs: { 0: image, 8: SIGNER } }).attest({ nonce: challenge, publicKey: withKey ? spki : null });
    return (await h.auth(correlationId, Buffer.from(document).toString('base64')))!.auth!;
  };

  await role({ allow_debug: true });
  const debug = await login(zero);
  const clear = await login(IMAGE);
  await role({ allow_debug: false });
  await assert.rejects(renewal(debug), fails('invalid', 'renewal_refused'));
  assert.deepEqual(await renewal(clear), { ttl: 0 });

  await role({ token_bound_to_enclave_key: true });
  const sealed = await login(IMAGE, true);
  await assert.rejects(renewal(clear), fails('invalid', 'renewal_refused'));
  assert.deepEqual(await renewal(sealed), { ttl: 0 });
});

test('a tdx role stored before it had to pin an RTMR admits nothing: the client sees no role authorizes, the audit and journal say what to add', async () => {
  const MR_TD = '91'.repeat(48);
  const rtmr = (b: string) => b.repeat(48);
  // A TD booted from the role's firmware (MRTD) running some other kernel and workload.
  const tdx: PlatformVerifier = {
    platform: 'tdx',
    verify: (_evidence, options): { ok: true; claims: AttestationClaims } => ({
      ok: true,
      claims: {
        platform: 'tdx', signerId: '00'.repeat(48), enclaveId: MR_TD, debug: false, timestamp: options.now, nonce: options.expectedNonce ?? null,
        publicKey: null, userData: null, tcbStatus: 'UpToDate',
        measurements: { mr_td: MR_TD, rtmr0: rtmr('44'), rtmr1: rtmr('e1'), rtmr2: rtmr('e2'), rtmr3: rtmr('e3'), mr_owner: '00'.repeat(48) },
      },
    }),
  };
  const storage = createMemoryStorage();
  await putJson(storage, 'role/legacy', {
    name: 'legacy', platform: 'tdx', enclaveId: MR_TD, pcrs: {}, measurements: { rtmr0: rtmr('44') }, tokenPolicies: ['p'], tokenTtl: 0, tokenNumUses: 0,
  });
  const records: JournalAppend[] = [];
  const h = await harness({ storage, deps: { verifiers: { ...createPlatformVerifiers(), tdx } }, journal: { append: async (record) => void records.push(record) } });
  const { correlationId } = await h.init('tdx');
  let audited = '';
  await assert.rejects(h.auth(correlationId, 'AAAA', 'tdx'), (err) => {
    assert.ok(err instanceof SealtrailError);
    assert.deepEqual([err.kind, err.code, err.message], ['permission', 'role_incomplete', 'attestation refused: no role authorizes this enclave']);
    audited = err.auditText;
    return true;
  });
  assert.equal(audited, 'attestation refused: role "legacy" admits nothing until it is written again pinning rtmr1, rtmr2 or rtmr3 as well as mr_td');
  for (const value of ['91'.repeat(8), 'e1'.repeat(8), 'e2'.repeat(8), 'e3'.repeat(8), '44'.repeat(8)]) assert.ok(!audited.includes(value), value);
  assert.deepEqual(records.map((r) => JSON.parse(r.text).reason), [audited]);
});

test('a token a tdx role granted before the role had to pin an RTMR does not renew', async () => {
  const storage = createMemoryStorage();
  const role = { name: 'legacy', platform: 'tdx', enclaveId: '91'.repeat(48), pcrs: {}, measurements: {}, tokenPolicies: ['p'], tokenTtl: 0, tokenNumUses: 0 };
  await putJson(storage, 'role/legacy', role);
  await putJson(storage, 'role/complete', { ...role, name: 'complete', measurements: { rtmr1: '51'.repeat(48) } });
  const h = await harness({ storage });
  const renewal = (name: string) => h.backend.authorizeRenewal!({
    meta: { platform: 'tdx', signer_id: '00'.repeat(48), enclave_id: '91'.repeat(48), role: name }, policies: ['default', 'p'],
  } as unknown as TokenEntry);
  await assert.rejects(renewal('legacy'), fails('invalid', 'renewal_refused'));
  assert.deepEqual(await renewal('complete'), { ttl: 0 });
});
