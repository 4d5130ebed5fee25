import { test } from 'node:test';
import assert from 'node:assert/strict';
import { vaultEntryKeys } from '../../../src/journal/index.js';
import { vaultAuditPair } from '../../helpers/vault-audit-lines.js';

const ACCESSOR = 'hmac-sha256:6fe8ad9a3a1be7ac2b6c5c1a7c6a5e7a41b5d0ff8c1c2d3e4f5a6b7c8d9e0f1a';

test('a KV read: request id, the accessor as the line has it, entity, address, path, operation, success', () => {
  const [request, response] = vaultAuditPair({
    timeNs: 1_796_000_000_000_000_000n, requestId: '6d2c1d6e-8f1b-4e55-9a0c-1d1f3c4b5a69', accessor: ACCESSOR,
    entityId: '9f2c3b1a-0d4e-4f5a-8b6c-7d8e9f0a1b2c', remoteAddress: '10.1.2.3', path: 'secret/data/app/db',
  });
  const expected = {
    requestId: '6d2c1d6e-8f1b-4e55-9a0c-1d1f3c4b5a69', accessor: ACCESSOR, entityId: '9f2c3b1a-0d4e-4f5a-8b6c-7d8e9f0a1b2c',
    remoteAddress: '10.1.2.3', path: 'secret/data/app/db', operation: 'read', outcome: 'success',
  };
  assert.deepEqual(vaultEntryKeys(JSON.parse(request)), expected);
  assert.deepEqual(vaultEntryKeys(JSON.parse(response)), expected);
});

test('an entry with a non-empty error is a failure; an empty error is not', () => {
  const [request] = vaultAuditPair({ timeNs: 1n, requestId: 'r1', error: 'permission denied' });
  assert.equal(vaultEntryKeys(JSON.parse(request)).outcome, 'failure');
  assert.equal(vaultEntryKeys({ type: 'request', error: '', request: { id: 'r' } }).outcome, 'success');
});

test('without auth.accessor the request.client_token_accessor is the accessor', () => {
  const keys = vaultEntryKeys({ type: 'request', auth: {}, request: { id: 'r', client_token_accessor: 'hmac-sha256:aa' } });
  assert.equal(keys.accessor, 'hmac-sha256:aa');
});

test('an attestation login: the plain correlation id of the response, the new token from response.auth', () => {
  // As the APM auth endpoint's response entry reads with audit_non_hmac_response_keys=correlation_id.
  const line = '{"time":"2026-12-05T03:00:00.123456789Z","type":"response","auth":{"token_type":"default"},'
    + '"request":{"id":"11111111-2222-4333-8444-555555555555","operation":"update","mount_point":"auth/apm/","mount_type":"apm",'
    + '"namespace":{"id":"root"},"path":"auth/apm/v0/attest/nitro/auth","data":{"correlation_id":"hmac-sha256:0a0b","message":"hmac-sha256:0c0d"},'
    + '"remote_address":"127.0.0.1","remote_port":40000},"response":{"auth":{"client_token":"hmac-sha256:1a","accessor":"hmac-sha256:2b",'
    + '"display_name":"apm-nitro","policies":["default"],"entity_id":"e-enclave"},"mount_point":"auth/apm/","mount_type":"apm",'
    + '"data":{"data":{"correlation_id":"c0rre1at10n","enclave_id":"hmac-sha256:3c"}}}}';
  assert.deepEqual(vaultEntryKeys(JSON.parse(line)), {
    requestId: '11111111-2222-4333-8444-555555555555', accessor: 'hmac-sha256:2b', entityId: 'e-enclave', correlationId: 'c0rre1at10n',
    remoteAddress: '127.0.0.1', path: 'auth/apm/v0/attest/nitro/auth', operation: 'update', outcome: 'success',
  });
});

test('a hashed correlation id is no correlation id (it can never match the plain one)', () => {
  const keys = vaultEntryKeys({ type: 'response', request: { id: 'r' }, response: { data: { data: { correlation_id: 'hmac-sha256:0a0b' } } } });
  assert.equal(keys.correlationId, undefined);
  assert.equal(vaultEntryKeys({ type: 'response', request: { id: 'r' }, response: { data: { data: { correlation_id: 'plain-id' } } } }).correlationId, 'plain-id');
  assert.equal(vaultEntryKeys({ type: 'response', request: { id: 'r' }, response: { data: { correlation_id: 'refused-id' } } }).correlationId, 'refused-id');
});

test("a request body's correlation id is no key: it is the client's text, and anyone may name any id", () => {
  const entry = { type: 'request', request: { id: 'r', data: { correlation_id: 'someone-elses-id' } } };
  assert.equal(vaultEntryKeys(entry).correlationId, undefined);
  assert.equal(vaultEntryKeys({ ...entry, type: 'response', response: { data: { error: 'the challenge has already been used' } } }).correlationId, undefined);
});

test('fields of the wrong type give no key, and absent keys are absent (not undefined)', () => {
  const keys = vaultEntryKeys({ type: 'request', auth: 'x', request: { id: 7, path: ['a'], remote_address: null }, response: [] });
  assert.deepEqual(keys, { outcome: 'success' });
  assert.deepEqual(Object.keys(keys), ['outcome']);
});
