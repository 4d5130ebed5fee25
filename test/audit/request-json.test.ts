import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestBlock, type EntryOptions } from '../../src/audit/entry.js';
import { writeBlock } from '../../src/audit/format-json.js';
import { createEntryHasher, createSalt } from '../../src/audit/hash.js';
import type { AuditInput } from '../../src/audit/model.js';
import { writeRequestJson } from '../../src/audit/request-json.js';
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
  for (const [name, input, opts] of variants()) {
    for (const [hname, h] of Object.entries(hashers)) {
      assert.equal(writeRequestJson(input, h, opts), writeBlock(requestBlock(input, h, opts), 'request'), `${name}, ${hname}`);
    }
  }
});
