import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createDevEnclave } from '../../../src/attestation/index.js';
import { apmLogin, authorizationName, authorizationPolicy, type ApmClient } from '../../../src/sdk/apm.js';
import { SealtrailClient } from '../../../src/sdk/index.js';
import type { VaultResponse } from '../../../src/sdk/types.js';
import { harness, IMAGE, SIGNER } from './helpers.js';

// SealtrailClient is an ApmClient (a compile-time check).
const _typed: ApmClient = new SealtrailClient({ address: 'http://127.0.0.1:1', token: 't' });
void _typed;

test('apmLogin performs init + auth and returns the token and correlation id', async () => {
  const h = await harness();
  await h.call('update', 'role/r', { platform: 'nitro', signer_id: SIGNER, token_policies: 'app' });
  const paths: string[] = [];
  // Stands in for the server: routes to the backend and mints a token from the grant, as the core does.
  const client = {
    async write(path: string, data: Record<string, unknown> = {}): Promise<VaultResponse<unknown>> {
      paths.push(path);
      const res = await h.call('update', path.replace(/^auth\/apm\//, ''), data);
      const auth = res?.auth
        ? { client_token: 'hvs.test', accessor: 'acc-1', policies: ['default', ...res.auth.policies], token_policies: res.auth.policies, metadata: res.auth.metadata, lease_duration: 60, renewable: true, entity_id: res.auth.entityId!, token_type: 'service', orphan: true }
        : null;
      return { request_id: 'r', lease_id: '', renewable: false, lease_duration: 0, data: res?.data ?? null, wrap_info: null, warnings: null, auth };
    },
  };
  const enclave = createDevEnclave({ ca: h.ca, clock: h.clock, pcrs: { 0: IMAGE, 8: SIGNER } });
  let seen: Uint8Array | undefined;
  const login = await apmLogin(client, { platform: 'nitro', attest: (challenge) => ((seen = challenge), enclave.attest({ nonce: challenge })) });
  assert.equal(seen?.length, 32);
  assert.deepEqual(paths, ['auth/apm/v0/attest/nitro/init', 'auth/apm/v0/attest/nitro/auth']);
  assert.deepEqual(
    [login.token, login.accessor, login.signerId, login.enclaveId, login.policies, login.leaseDuration],
    ['hvs.test', 'acc-1', SIGNER, IMAGE, ['default', 'app'], 60],
  );
  assert.match(login.correlationId, /^[0-9a-f-]{36}$/);
  assert.equal(login.entityId, login.auth.entity_id);
});

test('authorization names and policies are deterministic and injection-proof', () => {
  const a = { kind: 'enclave' as const, platform: 'nitro', signerId: SIGNER.toUpperCase(), enclaveId: IMAGE, enginePath: 'secret/', secretName: 'app/db' };
  assert.equal(authorizationName(a), authorizationName({ ...a, signerId: SIGNER, enginePath: 'secret' }));
  assert.match(authorizationName(a), /^apm-nitro-enclave-cdcdcdcd-abababab-[0-9a-f]{16}$/);
  assert.notEqual(authorizationName(a), authorizationName({ ...a, secretName: 'app/other' }));
  assert.equal(authorizationPolicy(a), `# Written by sealtrail apm authorize: nitro signer ${SIGNER} enclave ${IMAGE}\npath "secret/data/app/db" {\n  capabilities = ["read"]\n}\n`);
  assert.throws(() => authorizationPolicy({ ...a, secretName: 'x" {\n capabilities=["sudo"]' }), /secret name/);
  assert.throws(() => authorizationPolicy({ ...a, secretName: '../sys' }), /secret name/);
  assert.throws(() => authorizationPolicy({ ...a, kind: 'signer' }), /takes no enclave/);
});

test('a tdx authorization is named by its RTMRs too, in any case and order; other platforms take none', () => {
  const a = { kind: 'enclave' as const, platform: 'tdx', signerId: '00'.repeat(48), enclaveId: '91'.repeat(48), enginePath: 'secret', secretName: 'app/db' };
  const kernel = authorizationName({ ...a, rtmrs: { rtmr1: '51'.repeat(48), rtmr2: '52'.repeat(48) } });
  assert.equal(kernel, authorizationName({ ...a, rtmrs: { rtmr2: '52'.repeat(48), rtmr1: '51'.repeat(48).toUpperCase(), rtmr3: undefined } }));
  assert.notEqual(kernel, authorizationName({ ...a, rtmrs: { rtmr1: '61'.repeat(48), rtmr2: '52'.repeat(48) } }));
  assert.notEqual(kernel, authorizationName(a));
  assert.equal(authorizationName(a), authorizationName({ ...a, rtmrs: {} }));
  assert.throws(() => authorizationName({ ...a, rtmrs: { rtmr3: 'zz' } }), /rtmr3 must be hex/);
  assert.throws(() => authorizationName({ ...a, platform: 'nitro', rtmrs: { rtmr1: '51'.repeat(48) } }), /apply to tdx authorizations only/);
});

test('apmLogin attests only a challenge of 32 bytes in base64: a server cannot choose what else the evidence carries', async () => {
  const { createServer } = await import('node:http');
  let challenge = '';
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { data: { correlation_id: 'c-1', challenge } } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const client = new SealtrailClient({ address: `http://127.0.0.1:${(server.address() as { port: number }).port}`, token: '' });
    let attested = 0;
    const attest = () => ((attested += 1), new Uint8Array(1));
    const hostile = [
      Buffer.alloc(64, 0xab).toString('base64'),
      Buffer.alloc(31, 1).toString('base64'),
      Buffer.alloc(4 * 1024 * 1024, 2).toString('base64'),
      `${Buffer.alloc(32, 3).toString('base64')}!!`,
      Buffer.alloc(32, 3).toString('base64').replace(/=$/, ''),
      ' '.repeat(8) + Buffer.alloc(32, 3).toString('base64'),
    ];
    for (const c of hostile) {
      challenge = c;
      await assert.rejects(apmLogin(client, { platform: 'nitro', attest }), /^Error: apm init: the challenge is not 32 bytes in base64$/);
    }
    assert.equal(attested, 0);
  } finally {
    server.close();
  }
});
