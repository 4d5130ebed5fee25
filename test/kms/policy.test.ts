import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contextConditions } from '../../src/kms/operations/crypto-common.js';
import { evaluateKeyPolicy, parseKeyPolicy, type PolicyRequest } from '../../src/kms/policy/index.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const PCR0 = 'ab'.repeat(48);

const policy = parseKeyPolicy(JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Sid: 'root', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: ['kms:Describe*', 'kms:Encrypt'], Resource: '*' },
    { Sid: 'enclave', Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:Decrypt', Resource: KEY,
      Condition: { StringEqualsIgnoreCase: { 'kms:RecipientAttestation:ImageSha384': PCR0 }, StringLike: { 'kms:EncryptionContext:tenant': 'acme-*' } } },
    { Sid: 'pcr8', Effect: 'Allow', Principal: { AWS: [BOB] }, Action: 'kms:GenerateDataKey', Resource: '*',
      Condition: { StringEquals: { 'kms:RecipientAttestation:PCR8': 'cd'.repeat(48) } } },
    { Sid: 'no-bob-encrypt', Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'aws:PrincipalArn': BOB } } },
    { Sid: 'ctx-required', Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:Encrypt', Resource: '*', Condition: { Null: { 'kms:EncryptionContext:tenant': 'true' } } },
  ],
}));

const req = (principalArn: string, action: string, context: Record<string, string> = {}): PolicyRequest => ({
  principalArn, accountId: ACCOUNT, action, resourceArn: KEY,
  context: { 'aws:principalarn': principalArn, ...Object.fromEntries(Object.entries(context).map(([k, v]) => [k.toLowerCase(), v])) },
});

test('key policy decisions', () => {
  const cases: Array<[string, PolicyRequest, string]> = [
    ['root grant covers account users', req(ALICE, 'kms:DescribeKey'), 'allow'],
    ['other accounts are not covered', { ...req('arn:aws:iam::999999999999:user/eve', 'kms:DescribeKey'), accountId: ACCOUNT }, 'implicit-deny'],
    ['action not granted', req(ALICE, 'kms:ScheduleKeyDeletion'), 'implicit-deny'],
    ['attested decrypt, right PCR0 (any case) and context', req(ALICE, 'kms:Decrypt', { 'kms:RecipientAttestation:ImageSha384': PCR0.toUpperCase(), 'kms:EncryptionContext:tenant': 'acme-prod' }), 'allow'],
    ['wrong PCR0', req(ALICE, 'kms:Decrypt', { 'kms:RecipientAttestation:ImageSha384': 'ef'.repeat(48), 'kms:EncryptionContext:tenant': 'acme-prod' }), 'implicit-deny'],
    ['no attestation', req(ALICE, 'kms:Decrypt', { 'kms:EncryptionContext:tenant': 'acme-prod' }), 'implicit-deny'],
    ['context does not match StringLike', req(ALICE, 'kms:Decrypt', { 'kms:RecipientAttestation:ImageSha384': PCR0, 'kms:EncryptionContext:tenant': 'other' }), 'implicit-deny'],
    ['other principal', req(BOB, 'kms:Decrypt', { 'kms:RecipientAttestation:ImageSha384': PCR0, 'kms:EncryptionContext:tenant': 'acme-1' }), 'implicit-deny'],
    ['PCR8 StringEquals is case-sensitive', req(BOB, 'kms:GenerateDataKey', { 'kms:RecipientAttestation:PCR8': 'CD'.repeat(48) }), 'implicit-deny'],
    ['PCR8 matches', req(BOB, 'kms:GenerateDataKey', { 'kms:RecipientAttestation:PCR8': 'cd'.repeat(48) }), 'allow'],
    ['explicit deny wins over the root allow', req(BOB, 'kms:Encrypt', { 'kms:EncryptionContext:tenant': 'x' }), 'explicit-deny'],
    ['Null condition denies encrypt without context', req(ALICE, 'kms:Encrypt'), 'explicit-deny'],
    ['encrypt with context', req(ALICE, 'kms:Encrypt', { 'kms:EncryptionContext:tenant': 'x' }), 'allow'],
  ];
  for (const [name, r, expected] of cases) assert.equal(evaluateKeyPolicy(policy, r), expected, name);
});

test('malformed policies are MalformedPolicyDocumentException', () => {
  const bad = [
    'not json',
    '{"Statement": []}',
    '{"Statement": [{"Effect": "Maybe", "Principal": "*", "Action": "kms:*", "Resource": "*"}]}',
    '{"Statement": [{"Effect": "Allow", "Action": "kms:*", "Resource": "*"}]}',
    '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "alice"}, "Action": "kms:*", "Resource": "*"}]}',
    // Principals are compared whole: a wildcard inside an ARN would never match, and its Deny never apply.
    '{"Statement": [{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::111122223333:user/*"}, "Action": "kms:*", "Resource": "*"}]}',
    '{"Statement": [{"Effect": "Deny", "Principal": {"AWS": ["arn:aws:iam::111122223333:root", "arn:aws:iam::111122223333:user/ap?"]}, "Action": "kms:*", "Resource": "*"}]}',
    '{"Statement": [{"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::*:root"}, "Action": "kms:*", "Resource": "*"}]}',
    '{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "kms:*", "Resource": "*", "Condition": {"NumericFoo": {"a": "1"}}}]}',
  ];
  for (const text of bad) {
    assert.throws(() => parseKeyPolicy(text), (err: Error & { code?: string }) => err.code === 'MalformedPolicyDocumentException', text);
  }
});

test('a condition key named like an Object.prototype member is simply absent from the request', () => {
  const special = parseKeyPolicy(JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 's', Effect: 'Allow', Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { constructor: 'x', toString: 'y' } } }],
  }));
  assert.equal(evaluateKeyPolicy(special, req(ALICE, 'kms:Encrypt')), 'implicit-deny');
});

test('context keys that differ only in case: a Deny sees every value, an Allow must hold for every value, in any order', () => {
  const decide = (p: ReturnType<typeof parseKeyPolicy>, action: string, context: Record<string, string>) => {
    const request = (pairs: Array<[string, string]>): PolicyRequest => ({
      principalArn: BOB, accountId: ACCOUNT, action, resourceArn: KEY,
      context: { 'aws:principalarn': BOB, ...contextConditions(Object.fromEntries(pairs)) },
    });
    const forward = evaluateKeyPolicy(p, request(Object.entries(context)));
    assert.equal(evaluateKeyPolicy(p, request(Object.entries(context).reverse())), forward, `order of ${JSON.stringify(context)}`);
    return forward;
  };
  const statement = (effect: string, action: string, condition: Record<string, Record<string, string | string[]>>) =>
    ({ Effect: effect, Principal: { AWS: BOB }, Action: action, Resource: '*', Condition: condition });

  const denies = parseKeyPolicy(JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      statement('Deny', 'kms:Encrypt', { StringEquals: { 'kms:EncryptionContext:dept': 'finance' } }),
      statement('Deny', 'kms:Decrypt', { StringNotLike: { 'kms:EncryptionContext:team': 'eng-*' } }),
    ],
  }));
  const denyCases: Array<[string, string, Record<string, string>, string]> = [
    ['the denied value', 'kms:Encrypt', { dept: 'finance' }, 'explicit-deny'],
    ['the denied value under another case of the key', 'kms:Encrypt', { DEPT: 'finance' }, 'explicit-deny'],
    ['the denied value beside another', 'kms:Encrypt', { dept: 'finance', Dept: 'x' }, 'explicit-deny'],
    ['the denied value beside another, other case', 'kms:Encrypt', { Dept: 'finance', dept: 'x' }, 'explicit-deny'],
    ['other values only', 'kms:Encrypt', { dept: 'x', DEPT: 'y' }, 'allow'],
    ['a negated Deny, every value allowed', 'kms:Decrypt', { team: 'eng-1', Team: 'eng-2' }, 'allow'],
    ['a negated Deny, one value outside', 'kms:Decrypt', { team: 'eng-1', TEAM: 'ops' }, 'explicit-deny'],
  ];
  for (const [name, action, context, expected] of denyCases) assert.equal(decide(denies, action, context), expected, name);

  const allows = parseKeyPolicy(JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' },
      statement('Allow', 'kms:Encrypt', { StringEquals: { 'kms:EncryptionContext:dept': 'finance' } }),
      statement('Allow', 'kms:Decrypt', { StringNotEquals: { 'kms:EncryptionContext:dept': 'finance' } }),
      statement('Allow', 'kms:GenerateDataKey', { 'ForAnyValue:StringLike': { 'kms:EncryptionContext:dept': ['fin*'] } }),
    ],
  }));
  const allowCases: Array<[string, string, Record<string, string>, string]> = [
    ['the required value', 'kms:Encrypt', { dept: 'finance' }, 'allow'],
    ['the required value twice', 'kms:Encrypt', { dept: 'finance', DEPT: 'finance' }, 'allow'],
    ['the required value beside a conflicting one', 'kms:Encrypt', { dept: 'finance', Dept: 'x' }, 'implicit-deny'],
    ['the required value beside a conflicting one, other case', 'kms:Encrypt', { Dept: 'finance', dept: 'x' }, 'implicit-deny'],
    ['a negated Allow, every value allowed', 'kms:Decrypt', { dept: 'x', Dept: 'y' }, 'allow'],
    ['a negated Allow, one value excluded', 'kms:Decrypt', { dept: 'x', Dept: 'finance' }, 'implicit-deny'],
    ['a set operator, one value outside', 'kms:GenerateDataKey', { dept: 'finance', Dept: 'x' }, 'implicit-deny'],
    ['a set operator, every value inside', 'kms:GenerateDataKey', { dept: 'finance', Dept: 'fintech' }, 'allow'],
  ];
  for (const [name, action, context, expected] of allowCases) assert.equal(decide(allows, action, context), expected, name);
});

test('an evaluation that would need more than its matching budget is refused, whatever its statements say', () => {
  // 32 KiB of `?`-pieces against an 8 KiB context value: billions of comparisons unbounded.
  const pieces = Array.from({ length: 60 }, () => `*${'?'.repeat(500)}x*`);
  const costly = (effect: 'Allow' | 'Deny') => parseKeyPolicy(JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:Encrypt', Resource: '*' },
      { Effect: effect, Principal: '*', Action: 'kms:Encrypt', Resource: '*', Condition: { StringLike: { 'kms:EncryptionContext:blob': [...pieces, '*'] } } },
    ],
  }));
  const blob = req(ALICE, 'kms:Encrypt', { 'kms:EncryptionContext:blob': 'a'.repeat(8000) });
  assert.equal(evaluateKeyPolicy(costly('Allow'), blob), 'too-costly', 'an Allow that would have matched (its last pattern is `*`) does not allow');
  assert.equal(evaluateKeyPolicy(costly('Deny'), blob), 'too-costly', 'a Deny that cannot be decided does not let the call through');
  // Equality operators are charged too: many keys against many patterns.
  const keys = Object.fromEntries(Array.from({ length: 4000 }, (_, i) => [`k${i}`, 'v']));
  const many = parseKeyPolicy(JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Deny', Principal: '*', Action: 'kms:Encrypt', Resource: '*',
      Condition: { 'ForAnyValue:StringEquals': { 'kms:EncryptionContextKeys': Array.from({ length: 3000 }, (_, i) => `p${i}`) } } }],
  }));
  const manyKeys: PolicyRequest = { ...req(ALICE, 'kms:Encrypt'), context: { ...contextConditions(keys), 'aws:principalarn': ALICE } };
  assert.equal(evaluateKeyPolicy(many, manyKeys), 'too-costly');
  // Ordinary policies and requests stay far below the budget.
  assert.equal(evaluateKeyPolicy(policy, req(ALICE, 'kms:Encrypt', { 'kms:EncryptionContext:tenant': 'acme-1' }), 5_000), 'allow');
  assert.equal(evaluateKeyPolicy(policy, req(ALICE, 'kms:Encrypt', { 'kms:EncryptionContext:tenant': 'acme-1' }), 10), 'too-costly', 'the budget is what stops it');
});

test('set operators on an absent key: ForAllValues holds, ForAnyValue does not — negated or IfExists alike, as IAM', () => {
  const allowIf = (operator: string) => parseKeyPolicy(JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:Encrypt', Resource: '*', Condition: { [operator]: { 'kms:EncryptionContextKeys': ['test'] } } }],
  }));
  const without = req(BOB, 'kms:Encrypt');
  const withKeys = { ...without, context: { ...without.context, 'kms:encryptioncontextkeys': ['other'] } };
  for (const operator of ['ForAnyValue:StringNotEquals', 'ForAnyValue:StringNotLike', 'ForAnyValue:StringEqualsIfExists', 'ForAnyValue:StringEquals']) {
    assert.equal(evaluateKeyPolicy(allowIf(operator), without), 'implicit-deny', `${operator}, key absent`);
  }
  assert.equal(evaluateKeyPolicy(allowIf('ForAnyValue:StringNotEquals'), withKeys), 'allow', 'present, and a value differs');
  assert.equal(evaluateKeyPolicy(allowIf('ForAllValues:StringEquals'), without), 'allow', 'ForAllValues of nothing holds');
});
