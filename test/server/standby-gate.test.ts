import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gateDecision, type StandbyView } from '../../src/server/standby-gate.js';

const standby = (leader?: string): StandbyView => ({ standingBy: () => true, leaderAddress: () => leader });
const ACTIVE = 'https://node2.example.com:8200';

test('an active (or sealed) node passes every request', () => {
  assert.deepEqual(gateDecision({ standingBy: () => false, leaderAddress: () => ACTIVE }, '/v1/secret/data/x'), { pass: true });
});

test('a standby answers its status endpoints itself and redirects the rest to the active, path and query kept', () => {
  for (const p of ['/v1/sys/health', '/v1/sys/health?standbyok=true', '/v1/sys/seal-status', '/v1/sys/leader', '/v1/sys/unseal', '/v1/sys/init', '/v1/sys/seal']) {
    assert.deepEqual(gateDecision(standby(ACTIVE), p), { pass: true }, p);
  }
  assert.deepEqual(gateDecision(standby(ACTIVE), '/v1/secret/data/a%20b?version=2&x=1'), { pass: false, location: `${ACTIVE}/v1/secret/data/a%20b?version=2&x=1` });
  assert.deepEqual(gateDecision(standby(ACTIVE), '/'), { pass: false, location: `${ACTIVE}/` });
  assert.deepEqual(gateDecision(standby(ACTIVE), '/v1/sys/ha-status'), { pass: false, location: `${ACTIVE}/v1/sys/ha-status` });
});

test('the request cannot choose the redirect host: absolute-form targets, //host paths, CRLF', () => {
  const cases = ['http://evil.example/v1/secret/x', '//evil.example/v1/x', '/v1/x\r\nSet-Cookie: a=b', '/\\evil.example/x', '/v1/x@evil.example'];
  for (const url of cases) {
    const d = gateDecision(standby(ACTIVE), url);
    assert.equal(d.pass, false);
    const location = (d as { location: string }).location;
    assert.equal(new URL(location).origin, ACTIVE, url);
    assert.doesNotMatch(location, /[\r\n]/);
  }
});

test('a standby that knows no active node refuses with 503 ha_not_active', () => {
  const d = gateDecision(standby(undefined), '/v1/secret/data/x');
  assert.equal(d.pass, false);
  assert.equal((d as { error: { code: string } }).error.code, 'ha_not_active');
});
