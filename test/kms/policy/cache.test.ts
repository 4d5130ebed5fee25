import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicyCache } from '../../../src/kms/policy/cache.js';
import { evaluateKeyPolicy, parseKeyPolicy } from '../../../src/kms/policy/index.js';
import { isDeepFrozen } from '../../../src/lib/immutable.js';

const policy = (action: string) => JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: action, Resource: '*' }],
});
const request = (action: string) => ({
  principalArn: 'arn:aws:iam::111122223333:user/dev', accountId: '111122223333', action,
  resourceArn: 'arn:aws:kms:us-east-1:111122223333:key/k', context: {},
});

test('the same policy text gives the same frozen policy, equal to a fresh parse', () => {
  const policyOf = createPolicyCache();
  const text = policy('kms:Encrypt');
  const first = policyOf(text);
  assert.equal(policyOf(text), first);
  assert.ok(isDeepFrozen(first));
  assert.deepEqual(first, parseKeyPolicy(text));
  assert.equal(evaluateKeyPolicy(first, request('kms:Encrypt')), evaluateKeyPolicy(parseKeyPolicy(text), request('kms:Encrypt')));
});

test('a changed policy text is parsed anew: a PutKeyPolicy takes effect on the next call', () => {
  const policyOf = createPolicyCache();
  const allowEncrypt = policyOf(policy('kms:Encrypt'));
  const allowDecrypt = policyOf(policy('kms:Decrypt'));
  assert.notEqual(allowEncrypt, allowDecrypt);
  assert.equal(evaluateKeyPolicy(allowDecrypt, request('kms:Encrypt')), evaluateKeyPolicy(parseKeyPolicy(policy('kms:Decrypt')), request('kms:Encrypt')));
  assert.notEqual(evaluateKeyPolicy(allowDecrypt, request('kms:Encrypt')), 'allow');
  assert.equal(evaluateKeyPolicy(allowEncrypt, request('kms:Encrypt')), 'allow');
});

test('a text that does not parse is refused every time, never kept', () => {
  const policyOf = createPolicyCache();
  for (let i = 0; i < 3; i++) assert.throws(() => policyOf('{"Statement": '), (err: Error) => err.message.includes('not valid JSON'));
});

test('the cache is bounded: a forgotten text is parsed again to an equal policy', () => {
  const policyOf = createPolicyCache(2);
  const a = policy('kms:Encrypt');
  const first = policyOf(a);
  for (const action of ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:ReEncryptFrom', 'kms:DescribeKey']) policyOf(policy(action));
  const again = policyOf(a);
  assert.deepEqual(again, first);
});
