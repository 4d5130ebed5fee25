/**
 * Acceptance: disabling an auth method logs out every enclave it logged in, through the real dev
 * server, as Vault revokes the tokens of a disabled auth method: their tokens, and the children
 * those tokens made, stop working at once and cannot be renewed, and enabling the method again at
 * the same path brings none of them back.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createDevEnclave, loadDevCaFromDir } from '../../src/attestation/index.js';
import { SealtrailClient, apmLogin } from '../../src/sdk/index.js';
import { systemClock } from '../../src/lib/clock.js';
import { call, startDevServer } from '../helpers/server.js';

const SIGNER = '5a'.repeat(48);

test('the tokens of a disabled auth method, and their children, stop working at once', async () => {
  const server = await startDevServer();
  try {
    const root = { token: server.rootToken };
    const base = server.address;
    const enclave = createDevEnclave({ ca: await loadDevCaFromDir(join(server.dir, 'dev-ca')), clock: systemClock, pcrs: { 0: 'e1'.repeat(48), 8: SIGNER } });
    assert.equal((await call(base, 'PUT', 'sys/policies/acl/spawner', { ...root, body: { policy: 'path "auth/token/create" { capabilities = ["update"] }' } })).status, 204);
    assert.equal((await call(base, 'POST', 'sys/auth/enclaves', { ...root, body: { type: 'apm' } })).status, 204);
    const role = { platform: 'nitro', signer_id: SIGNER, token_policies: ['spawner'] };
    assert.equal((await call(base, 'POST', 'auth/enclaves/role/app', { ...root, body: role })).status, 204);

    const login = await apmLogin(new SealtrailClient({ address: base, token: '' }), { mount: 'enclaves', platform: 'nitro', attest: (nonce) => enclave.attest({ nonce }) });
    const child = await call(base, 'POST', 'auth/token/create', { token: login.token, body: {} });
    assert.equal(child.status, 200, child.text);
    const childToken = child.json.auth.client_token;
    for (const token of [login.token, childToken]) assert.equal((await call(base, 'GET', 'auth/token/lookup-self', { token })).status, 200);

    assert.equal((await call(base, 'DELETE', 'sys/auth/enclaves', root)).status, 204);
    for (const token of [login.token, childToken]) {
      const refused = await call(base, 'GET', 'auth/token/lookup-self', { token });
      assert.deepEqual([refused.status, refused.json], [403, { errors: ['permission denied'] }]);
    }
    assert.equal((await call(base, 'POST', 'auth/token/renew-self', { token: login.token, body: { increment: '1h' } })).status, 403);
    const byAccessor = await call(base, 'POST', 'auth/token/lookup-accessor', { ...root, body: { accessor: login.accessor } });
    assert.deepEqual([byAccessor.status, byAccessor.json], [400, { errors: ['invalid accessor'] }]);

    // The same path and role again: the old token stays revoked.
    assert.equal((await call(base, 'POST', 'sys/auth/enclaves', { ...root, body: { type: 'apm' } })).status, 204);
    assert.equal((await call(base, 'POST', 'auth/enclaves/role/app', { ...root, body: role })).status, 204);
    assert.equal((await call(base, 'GET', 'auth/token/lookup-self', { token: login.token })).status, 403);
  } finally {
    await server.stop();
  }
});
