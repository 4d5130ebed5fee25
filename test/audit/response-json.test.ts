import { test } from 'node:test';
import assert from 'node:assert/strict';
import { responseBlock, reusableResponseDataOf, type EntryOptions } from '../../src/audit/entry.js';
import { writeBlock } from '../../src/audit/format-json.js';
import { createEntryHasher, createSalt } from '../../src/audit/hash.js';
import type { AuditInput } from '../../src/audit/model.js';
import { createResponseJsonWriter } from '../../src/audit/response-json.js';
import { deepFreeze } from '../../src/lib/immutable.js';
import { kvResponseInput } from './helpers.js';

const salt = createSalt('foo');
const hashers = {
  hmac: createEntryHasher(salt, { hmacAccessor: true, raw: false }),
  log_raw: createEntryHasher(salt, { hmacAccessor: true, raw: true }),
};
const plain: EntryOptions = { elideListResponses: false };
const elide: EntryOptions = { elideListResponses: true };

/** A read served from a cached KV version: frozen data, nothing else in the response. */
function cachedReadInput(): AuditInput {
  const base = kvResponseInput();
  return { ...base, operation: 'read', request: { ...base.request, operation: 'read', data: {} }, response: { data: deepFreeze({ data: { password: 's3cr3t', note: 'a<b>' }, metadata: { version: 2, created_time: 't' } }) } };
}

function variants(): [string, AuditInput, EntryOptions][] {
  const read = cachedReadInput();
  const frozenData = read.response!.data!;
  const list: AuditInput = { ...read, operation: 'list', response: { data: deepFreeze({ keys: ['a', 'b'] }) } };
  return [
    ['a cached read', read, plain],
    ['the same data through another mount', { ...read, mount: { ...read.mount!, path: 'kv2/', accessor: 'kv_other' } }, plain],
    ['the same data with other exempt keys', { ...read, mount: { ...read.mount!, config: { ...read.mount!.config, auditNonHmacResponseKeys: ['password'] } } }, plain],
    ['the same data without a mount', { ...read, mount: undefined }, plain],
    ['a list, elided', list, elide],
    ['the same list, not elided', list, plain],
    ['frozen data with warnings (not reusable)', { ...read, response: { data: frozenData, warnings: ['w<1>'] } }, plain],
    ['frozen data with a lease (not reusable)', { ...read, response: { data: frozenData, secret: { leaseId: 'l1', ttl: 60, renewable: true } } }, plain],
    ['data that is not frozen', kvResponseInput(), plain],
    ['a login response', { ...read, token: undefined, response: { data: frozenData, issuedAuth: { clientToken: 'hvs.x', accessor: 'acc', displayName: 'u', policies: ['p'], tokenPolicies: ['p'], identityPolicies: [], metadata: {}, numUses: 0, entityId: '', tokenType: 'service', orphan: false, ttl: 60, leaseDuration: 60, renewable: true } } }, plain],
  ];
}

test('the response block writer gives the generic builder\'s bytes, from its memo too, and follows every input it depends on', () => {
  for (const [hname, h] of Object.entries(hashers)) {
    const write = createResponseJsonWriter(h);
    for (let pass = 0; pass < 2; pass++) {
      for (const [name, input, opts] of variants()) {
        assert.equal(write(input, opts), writeBlock(responseBlock(input, h, opts), 'response'), `${name}, ${hname}, pass ${pass}`);
      }
    }
  }
});

test('only a frozen data map with no other response fields is reusable', () => {
  const read = cachedReadInput();
  assert.equal(reusableResponseDataOf(read), read.response!.data);
  assert.equal(reusableResponseDataOf(kvResponseInput()), undefined);
  assert.equal(reusableResponseDataOf({ ...read, response: { ...read.response, redirect: '/x' } }), undefined);
  assert.equal(reusableResponseDataOf({ ...read, response: undefined }), undefined);
});

test('a mount changed in place is followed', () => {
  const h = hashers.hmac;
  const write = createResponseJsonWriter(h);
  const read = cachedReadInput();
  const mount = { ...read.mount! };
  const input: AuditInput = { ...read, mount };
  assert.match(write(input, plain), /^\{"mount_point":"secret\/","mount_type":"kv","mount_accessor":"kv_1a2b3c4d","mount_running_plugin_version":"v0\.1\.0\+builtin\.sealtrail","mount_class":"secret","data":/);
  mount.accessor = 'kv_changed';
  assert.match(write(input, plain), /"mount_accessor":"kv_changed"/);
  assert.equal(write(input, plain), writeBlock(responseBlock(input, h, plain), 'response'));
});
