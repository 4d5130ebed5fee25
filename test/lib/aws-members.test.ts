import { test } from 'node:test';
import assert from 'node:assert/strict';
import { operationInput, recordedParameters, unrecorded, type Members } from '../../src/lib/aws-members.js';

const MEMBERS: Members = {
  KeyId: 'string', Plaintext: unrecorded('string'), EncryptionContext: 'map', NumberOfBytes: 'number', DryRun: 'boolean', GrantTokens: unrecorded('strings'),
  Recipient: { struct: { KeyEncryptionAlgorithm: 'string', AttestationDocument: unrecorded('string') } },
  Tags: { list: { TagKey: 'string', TagValue: 'string' } },
};

test('operationInput keeps declared members only (nested too), values as sent, and copies', () => {
  const body = {
    KeyId: 'k', Plaintext: 'cA==', Extra: 'x', NumberOfBytes: '32', Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: 'ZG9j', Sneaky: 1 },
    Tags: [{ TagKey: 'a', TagValue: 'b', Sneaky: 2 }, 'not an object'], constructor: 'c', __proto__: { polluted: true },
  };
  const input = operationInput(body, MEMBERS);
  assert.deepEqual(input, {
    KeyId: 'k', Plaintext: 'cA==', NumberOfBytes: '32', Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: 'ZG9j' },
    Tags: [{ TagKey: 'a', TagValue: 'b' }, 'not an object'],
  });
  assert.notEqual(input.Recipient, body.Recipient);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('recordedParameters: lowerCamelCase, recorded members of their declared type only, never unrecorded ones', () => {
  assert.deepEqual(recordedParameters({
    KeyId: 'k', Plaintext: 'cA==', GrantTokens: ['t'], EncryptionContext: { Tenant: 'acme', __proto__: 'x' } as Record<string, unknown>, NumberOfBytes: 32, DryRun: false,
    Recipient: { KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256', AttestationDocument: 'ZG9j' }, Tags: [{ TagKey: 'a', TagValue: 'b', Sneaky: 's' }], Extra: 'x',
  }, MEMBERS), {
    keyId: 'k', encryptionContext: { Tenant: 'acme' }, numberOfBytes: 32, dryRun: false,
    recipient: { keyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }, tags: [{ tagKey: 'a', tagValue: 'b' }],
  });
  // A member of the wrong type (the call fails) is left out rather than recorded as sent.
  assert.deepEqual(recordedParameters({ KeyId: { smuggled: 'x' }, NumberOfBytes: 'many', EncryptionContext: { a: { b: 'c' } }, Tags: ['x'], Recipient: 'r' }, MEMBERS), null);
  assert.equal(recordedParameters({ Plaintext: 'cA==' }, MEMBERS), null);
  const withProto = JSON.parse('{"EncryptionContext":{"__proto__":"v"}}') as Record<string, unknown>;
  const recorded = recordedParameters(withProto, MEMBERS)!.encryptionContext as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(recorded), Object.prototype);
  assert.deepEqual(Object.entries(recorded), [['__proto__', 'v']]);
});

test('recordedParameters with the service\'s defaults: a sent member keeps its value, one left out shows the default', () => {
  const defaults = { KeyId: 'default-key', DryRun: false, NumberOfBytes: 'not a number', Plaintext: 'never', Extra: 'undeclared' };
  assert.deepEqual(recordedParameters({ KeyId: 'k' }, MEMBERS, defaults), { keyId: 'k', dryRun: false });
  assert.deepEqual(recordedParameters({}, MEMBERS, defaults), { keyId: 'default-key', dryRun: false });
  // A sent member of the wrong type is left out, not replaced by the default.
  assert.deepEqual(recordedParameters({ DryRun: 'yes' }, MEMBERS, defaults), { keyId: 'default-key' });
  assert.equal(recordedParameters(undefined, MEMBERS, defaults), null);
});

test('a member sent as null is absent: not in the handler\'s input, and CloudTrail shows the default applied', () => {
  const members = { KeyId: 'string', EncryptionAlgorithm: 'string', EncryptionContext: 'map' } as const;
  assert.deepEqual(operationInput({ KeyId: 'k', EncryptionAlgorithm: null, EncryptionContext: null }, members), { KeyId: 'k' });
  assert.deepEqual(recordedParameters({ KeyId: 'k', EncryptionAlgorithm: null }, members, { EncryptionAlgorithm: 'SYMMETRIC_DEFAULT' }),
    { keyId: 'k', encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
});
