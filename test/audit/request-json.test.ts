import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestBlock, type EntryOptions } from '../../src/audit/entry.js';
import { writeBlock } from '../../src/audit/format-json.js';
import { createEntryHasher, createSalt } from '../../src/audit/hash.js';
import { AuditShared, type AuditInput } from '../../src/audit/model.js';
import { createRequestJsonWriter } from '../../src/audit/request-json.js';
import { deepFreeze } from '../../src/lib/immutable.js';
import { kvWriteInput } from './helpers.js';

const salt = createSalt('foo');
const hashers = {
  hmac: createEntryHasher(salt, { hmacAccessor: true, raw: false }),
  'hmac_accessor=false': createEntryHasher(salt, { hmacAccessor: false, raw: false }),
  log_raw: createEntryHasher(salt, { hmacAccessor: true, raw: true }),
};
const headers: EntryOptions['headers'] = { values: { 'x-request-source': ['ci'], 'x-secret-header': ['foo'] }, hmac: new Set(['x-secret-header']) };

function variants(): [string, AuditInput, EntryOptions][] {
  const base = kvWriteInput();
  const plain: EntryOptions = { elideListResponses: false };
  const withHeaders: EntryOptions = { elideListResponses: false, headers };
  const req = base.request;
  return [
    ['a KV write with data and audited headers', base, withHeaders],
    ['no audited headers', base, plain],
    ['an empty header selection', base, { elideListResponses: false, headers: { values: {}, hmac: new Set() } }],
    ['no token, no mount, no address', { request: { ...req, clientToken: '', data: {}, remoteAddress: '', remotePort: 0, path: 'sys/nope' }, operation: 'read', timeNs: 1n }, plain],
    ['an auth mount', { ...base, mount: { ...base.mount!, table: 'auth', path: 'userpass/', type: 'userpass', accessor: 'auth_userpass_1' } }, plain],
    ['exempt request keys', { ...base, mount: { ...base.mount!, config: { ...base.mount!.config, auditNonHmacRequestKeys: ['data', 'options'] } } }, plain],
    ['strings Go escapes', { ...base, request: { ...req, id: 'i<d>"\n', path: 'secret/data/a&b\u2028\ud800', remoteAddress: '::1' } }, withHeaders],
    ['wrap_ttl and a token without accessor', { ...base, token: { ...base.token!, accessor: '' }, request: { ...req, wrapTtl: 300 } }, plain],
    ['no request id', { ...base, request: { ...req, id: '' } }, plain],
  ];
}

test('the request block written directly is byte for byte the one built from requestBlock', () => {
  for (const [hname, h] of Object.entries(hashers)) {
    const write = createRequestJsonWriter(h);
    // Twice, and over shared mount and token objects: the second pass comes from the writer's memo.
    for (let pass = 0; pass < 2; pass++) {
      for (const [name, input, opts] of variants()) {
        assert.equal(write(input, opts), writeBlock(requestBlock(input, h, opts), 'request'), `${name}, ${hname}, pass ${pass}`);
      }
    }
  }
});

test('a deeply frozen token\'s hashes and a mount\'s fields are kept per writer, and follow a changed mount', () => {
  let tokenHashes = 0;
  const h = { ...hashers.hmac, token: (v: string) => { tokenHashes++; return hashers.hmac.token(v); } };
  const write = createRequestJsonWriter(h);
  const base = kvWriteInput();
  const mount = { ...base.mount! };
  // Only a token that can never change again (lib/immutable) has its text kept.
  write({ ...base, mount, token: Object.freeze({ ...base.token! }) }, { elideListResponses: false });
  write({ ...base, mount, token: Object.freeze({ ...base.token! }) }, { elideListResponses: false });
  assert.equal(tokenHashes, 2, 'a shallowly frozen token is hashed every time');
  const input: AuditInput = { ...base, mount, token: deepFreeze({ ...base.token! }) };
  const first = write(input, { elideListResponses: false });
  write(input, { elideListResponses: false });
  assert.equal(tokenHashes, 3, 'a deeply frozen token is hashed once per writer');
  assert.match(first, /"mount_point":"secret\/","mount_type":"kv","mount_accessor":"kv_1a2b3c4d"/);
  mount.accessor = 'kv_changed';
  mount.path = 'other/';
  const second = write(input, { elideListResponses: false });
  assert.match(second, /"mount_point":"other\/","mount_type":"kv","mount_accessor":"kv_changed"/);
  assert.equal(second, writeBlock(requestBlock(input, h, { elideListResponses: false }), 'request'));
});

test('devices writing one request share the runs no device hashes, and each writes its own hashes', () => {
  const writers = [createEntryHasher(createSalt('one'), { hmacAccessor: true, raw: false }), createEntryHasher(createSalt('two'), { hmacAccessor: true, raw: false }), hashers.log_raw];
  for (const [name, input, opts] of variants()) {
    const shared: AuditInput = { ...input, shared: new AuditShared() };
    const texts = writers.map((h) => createRequestJsonWriter(h)(shared, opts));
    writers.forEach((h, i) => assert.equal(texts[i], writeBlock(requestBlock(input, h, opts), 'request'), `${name}, writer ${i}`));
    assert.ok(shared.shared!.requestRuns, name);
    if (input.request.clientToken) assert.notEqual(texts[0], texts[1], name);
  }
});
