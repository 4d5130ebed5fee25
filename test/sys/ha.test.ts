import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => { server = await startDevServer({ journal: false }); });
after(() => server?.stop());

test('without HA: sys/leader says so, ha-status is refused with 400 ha_not_enabled, step-down is a no-op (204, as Vault), health is never standby', async () => {
  const leader = await call(server.address, 'GET', 'sys/leader');
  assert.equal(leader.status, 200);
  assert.equal(leader.json.ha_enabled, false);
  const status = await call(server.address, 'GET', 'sys/ha-status', { token: server.rootToken });
  assert.equal(status.status, 400);
  assert.match(status.json.errors[0], /high availability is not enabled/);
  assert.equal((await call(server.address, 'PUT', 'sys/step-down', { token: server.rootToken })).status, 204);
  assert.equal((await call(server.address, 'GET', 'sys/seal-status')).json.sealed, false, 'still serving');
  // step-down needs sudo even to be told HA is off: a token without it is refused first.
  assert.equal((await call(server.address, 'PUT', 'sys/step-down')).status, 403);
  const health = await call(server.address, 'GET', 'sys/health');
  assert.equal(health.status, 200);
  assert.equal(health.json.standby, false);
});
