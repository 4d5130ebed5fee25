import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => { server = await startDevServer({ journal: false }); });
after(() => server?.stop());

test('without HA: sys/leader says so, step-down and ha-status are refused with 400 ha_not_enabled, health is never standby', async () => {
  const leader = await call(server.address, 'GET', 'sys/leader');
  assert.equal(leader.status, 200);
  assert.equal(leader.json.ha_enabled, false);
  for (const [method, path] of [['PUT', 'sys/step-down'], ['GET', 'sys/ha-status']] as const) {
    const res = await call(server.address, method, path, { token: server.rootToken });
    assert.equal(res.status, 400, path);
    assert.match(res.json.errors[0], /high availability is not enabled/);
  }
  // step-down needs sudo even to be told HA is off: a token without it is refused first.
  assert.equal((await call(server.address, 'PUT', 'sys/step-down')).status, 403);
  const health = await call(server.address, 'GET', 'sys/health');
  assert.equal(health.status, 200);
  assert.equal(health.json.standby, false);
});
