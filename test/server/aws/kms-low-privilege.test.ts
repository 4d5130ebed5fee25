/**
 * A caller holding valid but low-privilege credentials (the KMS user `mallory`, with the same
 * Vault ACL as `dev`) against key policies written by `dev`, through the official SDK and the real
 * server on port 0.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, EnableKeyRotationCommand, EncryptCommand, GenerateDataKeyCommand, GetKeyPolicyCommand, KMSClient,
  ListKeyPoliciesCommand, ListKeysCommand, ListResourceTagsCommand, PutKeyPolicyCommand, ReEncryptCommand, ScheduleKeyDeletionCommand, TagResourceCommand,
  UntagResourceCommand,
} from '@aws-sdk/client-kms';
import { ACCOUNT, REGION, startKmsServer, type KmsTestServer, rejectsWith } from './harness.js';

let server: KmsTestServer;
let dev: KMSClient;
let mallory: KMSClient;

const client = (accessKeyId: string, secretAccessKey: string) =>
  new KMSClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });

before(async () => {
  server = await startKmsServer();
  dev = client(server.accessKeyId, server.secretAccessKey);
  const res = await fetch(`${server.endpoint}/v1/kms/users/mallory`, {
    method: 'POST', headers: { 'x-vault-token': server.rootToken, 'content-type': 'application/json' }, body: JSON.stringify({ policies: ['kms-dev'] }),
  });
  const { data } = await res.json() as { data: { access_key_id: string; secret_access_key: string } };
  mallory = client(data.access_key_id, data.secret_access_key);
});
after(async () => {
  dev?.destroy();
  mallory?.destroy();
  await server?.stop();
});

const MALLORY = `arn:aws:iam::${ACCOUNT}:user/mallory`;
const lastEvent = (name: string) => [...server.events].reverse().find((e) => e.eventName === name)!;

/** The account's users may do anything (the default policy), except what `deny` takes from mallory. */
function policyDenyingMallory(...deny: Array<{ Action: string | string[]; Condition: Record<string, unknown> }>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Sid: 'account', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      ...deny.map((d) => ({ Effect: 'Deny', Principal: { AWS: MALLORY }, Resource: '*', ...d })),
    ],
  });
}

test('tag conditions: a Deny on aws:ResourceTag applies, and the tags it depends on cannot be changed past aws:TagKeys and aws:RequestTag', async () => {
  const Policy = policyDenyingMallory(
    { Action: ['kms:Encrypt', 'kms:Decrypt'], Condition: { StringEquals: { 'aws:ResourceTag/Classification': 'secret' } } },
    { Action: ['kms:TagResource', 'kms:UntagResource'], Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['Classification'] } } },
    { Action: 'kms:TagResource', Condition: { StringEquals: { 'aws:RequestTag/Owner': 'mallory' } } },
  );
  const { KeyMetadata } = await dev.send(new CreateKeyCommand({ Policy, Tags: [{ TagKey: 'Classification', TagValue: 'secret' }] }));
  const KeyId = KeyMetadata!.KeyId!;
  const plaintext = Buffer.from('x');

  // Condition key names ignore case; the tag key is matched whatever case the policy writes it in.
  await rejectsWith(mallory.send(new EncryptCommand({ KeyId, Plaintext: plaintext })), 'AccessDeniedException',
    /^User: arn:aws:iam::111122223333:user\/mallory is not authorized to perform: kms:Encrypt on resource: .* with an explicit deny in a resource-based policy$/);
  assert.equal(lastEvent('Encrypt').errorCode, 'AccessDenied');
  await rejectsWith(mallory.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'Classification', TagValue: 'public' }] })), 'AccessDeniedException');
  await rejectsWith(mallory.send(new UntagResourceCommand({ KeyId, TagKeys: ['Classification'] })), 'AccessDeniedException');
  await rejectsWith(mallory.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'Owner', TagValue: 'mallory' }] })), 'AccessDeniedException');
  await rejectsWith(mallory.send(new EncryptCommand({ KeyId, Plaintext: plaintext })), 'AccessDeniedException');

  // Other tags, and other callers, are unaffected.
  await mallory.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: 'Owner', TagValue: 'ops' }] }));
  await dev.send(new EncryptCommand({ KeyId, Plaintext: plaintext }));
  await dev.send(new UntagResourceCommand({ KeyId, TagKeys: ['Classification'] }));
  await mallory.send(new EncryptCommand({ KeyId, Plaintext: plaintext }));
});

test('tags a call sets or removes are bounded (50, keys of 1..128 characters) before the key policy reads them', async () => {
  const { KeyMetadata } = await dev.send(new CreateKeyCommand({}));
  const KeyId = KeyMetadata!.KeyId!;
  const keys = Array.from({ length: 51 }, (_, i) => `k${i}`);
  await rejectsWith(mallory.send(new UntagResourceCommand({ KeyId, TagKeys: keys })), 'TagException', /^A key can have at most 50 tags$/);
  await rejectsWith(mallory.send(new UntagResourceCommand({ KeyId, TagKeys: ['ok', ''] })), 'ValidationException',
    /^1 validation error detected: Value '' at 'tagKeys.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1$/);
  await rejectsWith(mallory.send(new UntagResourceCommand({ KeyId, TagKeys: ['k'.repeat(129)] })), 'ValidationException', /Member must have length less than or equal to 128$/);
  await rejectsWith(mallory.send(new TagResourceCommand({ KeyId, Tags: [{ TagKey: '', TagValue: 'v' }] })), 'ValidationException',
    /^1 validation error detected: Value '' at 'tags.1.member.tagKey' failed to satisfy constraint: Member must have length greater than or equal to 1$/);
  await mallory.send(new UntagResourceCommand({ KeyId, TagKeys: keys.slice(0, 50) }));
});

test('a member of the wrong type is refused before the operation acts, even one no handler reads; grant tokens keep AWS limits', async () => {
  const { KeyMetadata } = await mallory.send(new CreateKeyCommand({}));
  const KeyId = KeyMetadata!.KeyId!;
  const Plaintext = Buffer.from('x');
  // A DryRun sent as a string is not a dry run that the server may quietly perform.
  await rejectsWith(mallory.send(new EncryptCommand({ KeyId, Plaintext, DryRun: 'true' as never })), 'SerializationException', /^DryRun: expected a boolean$/);
  assert.equal(lastEvent('Encrypt').errorCode, 'SerializationException');
  await rejectsWith(mallory.send(new EncryptCommand({ KeyId, Plaintext, GrantTokens: 'bearer-token-1' as never })), 'SerializationException', /^GrantTokens: expected a list of strings$/);
  await rejectsWith(mallory.send(new DescribeKeyCommand({ KeyId, GrantTokens: [7] as never })), 'SerializationException');
  await rejectsWith(mallory.send(new EncryptCommand({ KeyId, Plaintext, GrantTokens: Array.from({ length: 11 }, (_, i) => `bearer-token-${i}`) })), 'ValidationException',
    /^1 validation error detected: Value at 'grantTokens' failed to satisfy constraint: Member must have length less than or equal to 10$/);
  await rejectsWith(mallory.send(new EncryptCommand({ KeyId, Plaintext, GrantTokens: ['bearer-token-1', ''] })), 'ValidationException',
    /^1 validation error detected: Value at 'grantTokens.2.member' failed to satisfy constraint: Member must have length greater than or equal to 1$/);
  await rejectsWith(mallory.send(new DescribeKeyCommand({ KeyId, GrantTokens: ['t'.repeat(8193)] })), 'ValidationException', /Member must have length less than or equal to 8192$/);
  await rejectsWith(mallory.send(new CreateKeyCommand({ Tags: [{ TagKey: 'a', TagValue: 5 as never }] })), 'SerializationException', /^Tags\.1\.TagValue: expected a string$/);
  assert.ok(!JSON.stringify(server.events).includes('bearer-token-'), 'a grant token reached the trail');
  await mallory.send(new EncryptCommand({ KeyId, Plaintext, GrantTokens: ['bearer-token-1'], DryRun: false }));
});

test('every List* operation holds Limit to its range and Marker to 1..1024 characters, never echoing a marker', async () => {
  const { KeyMetadata } = await mallory.send(new CreateKeyCommand({ Tags: [{ TagKey: 'a', TagValue: 'b' }] }));
  const KeyId = KeyMetadata!.KeyId!;
  await rejectsWith(mallory.send(new ListKeyPoliciesCommand({ KeyId, Limit: 0 })), 'ValidationException',
    /^1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1$/);
  await rejectsWith(mallory.send(new ListKeyPoliciesCommand({ KeyId, Limit: 1001 })), 'ValidationException', /less than or equal to 1000$/);
  // A key has one policy, so no page is ever truncated and no marker follows one.
  await rejectsWith(mallory.send(new ListKeyPoliciesCommand({ KeyId, Marker: 'forged' })), 'InvalidMarkerException');
  assert.deepEqual((await mallory.send(new ListKeyPoliciesCommand({ KeyId, Limit: 1 }))).PolicyNames, ['default']);
  await rejectsWith(mallory.send(new ListResourceTagsCommand({ KeyId, Marker: '' })), 'ValidationException',
    /^1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must have length greater than or equal to 1$/);
  await rejectsWith(mallory.send(new ListKeysCommand({ Marker: 'M'.repeat(1025) })), 'ValidationException',
    /^1 validation error detected: Value at 'marker' failed to satisfy constraint: Member must have length less than or equal to 1024$/);
  assert.equal(lastEvent('ListKeys').errorCode, 'ValidationException');
  assert.ok(!lastEvent('ListKeys').errorMessage!.includes('MMMM'));
});

test('an alias name holds only alphanumerics, "/", "_" and "-" after alias/', async () => {
  const { KeyMetadata } = await mallory.send(new CreateKeyCommand({}));
  const TargetKeyId = KeyMetadata!.KeyId!;
  await rejectsWith(mallory.send(new CreateAliasCommand({ AliasName: 'alias/a:b', TargetKeyId })), 'InvalidAliasNameException', /^Alias name may contain only /);
  await rejectsWith(mallory.send(new CreateAliasCommand({ AliasName: `alias/x:${ACCOUNT}:key/${TargetKeyId}`, TargetKeyId })), 'InvalidAliasNameException');
  await mallory.send(new CreateAliasCommand({ AliasName: 'alias/team_a/app-1', TargetKeyId }));
});

test('a key policy too costly to evaluate for a request refuses it, and the server goes on answering', async () => {
  const pieces = Array.from({ length: 60 }, () => `*${'?'.repeat(500)}x*`);
  const Policy = policyDenyingMallory({ Action: 'kms:Encrypt', Condition: { StringLike: { 'kms:EncryptionContext:blob': pieces } } });
  const { KeyMetadata } = await mallory.send(new CreateKeyCommand({ Policy }));
  const KeyId = KeyMetadata!.KeyId!;
  const call = () => mallory.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { blob: 'a'.repeat(8000) } }));
  await rejectsWith(call(), 'AccessDeniedException', /because its key policy is too costly to evaluate for this request$/);
  assert.equal(lastEvent('Encrypt').errorCode, 'AccessDenied');
  // An ordinary request to the same key is decided as the policy says.
  await mallory.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { blob: 'short' } }));
  await dev.send(new DescribeKeyCommand({ KeyId }));
});

test('the global condition keys IAM always gives are there: a Deny on aws:SecureTransport, aws:SourceIp, aws:username or kms:RequestAlias applies', async () => {
  // The test server is plain HTTP on the loopback interface.
  const denies: Array<Record<string, unknown>> = [
    { Bool: { 'aws:SecureTransport': 'false' } },
    { IpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1/128'] } },
    { StringEquals: { 'aws:username': 'mallory' } },
  ];
  for (const Condition of denies) {
    const { KeyMetadata } = await dev.send(new CreateKeyCommand({ Policy: policyDenyingMallory({ Action: 'kms:Encrypt', Condition }) }));
    await rejectsWith(mallory.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId!, Plaintext: Buffer.from('x') })), 'AccessDeniedException', /explicit deny/);
    await dev.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId!, Plaintext: Buffer.from('x') }));
  }
  // Outside the range, the same Deny does not apply.
  const { KeyMetadata: elsewhere } = await dev.send(new CreateKeyCommand({ Policy: policyDenyingMallory({ Action: 'kms:Encrypt', Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } }) }));
  await mallory.send(new EncryptCommand({ KeyId: elsewhere!.KeyId!, Plaintext: Buffer.from('x') }));

  // kms:RequestAlias: the alias the request named the key by; calls by key id do not carry it.
  const { KeyMetadata } = await dev.send(new CreateKeyCommand({ Policy: policyDenyingMallory({ Action: 'kms:Encrypt', Condition: { StringLike: { 'kms:RequestAlias': 'alias/restricted-*' } } }) }));
  await dev.send(new CreateAliasCommand({ AliasName: 'alias/restricted-payroll', TargetKeyId: KeyMetadata!.KeyId! }));
  await rejectsWith(mallory.send(new EncryptCommand({ KeyId: 'alias/restricted-payroll', Plaintext: Buffer.from('x') })), 'AccessDeniedException', /explicit deny/);
  await mallory.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId!, Plaintext: Buffer.from('x') }));
});

test('the condition keys AWS sets on every call to a key are there: a Deny on the key\'s attributes, the request\'s region or a direct call applies', async () => {
  const denies: Array<[string, Record<string, unknown>]> = [
    ['kms:Encrypt', { StringEquals: { 'kms:KeyOrigin': 'AWS_KMS' } }],
    ['kms:Encrypt', { StringEquals: { 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:KeyUsage': 'ENCRYPT_DECRYPT' } }],
    ['kms:Encrypt', { StringEquals: { 'kms:CustomerMasterKeySpec': 'SYMMETRIC_DEFAULT', 'kms:CustomerMasterKeyUsage': 'ENCRYPT_DECRYPT' } }],
    ['kms:Encrypt', { Bool: { 'kms:MultiRegion': 'false' } }],
    ['kms:Encrypt', { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } }],
    ['kms:Encrypt', { StringEquals: { 'aws:RequestedRegion': REGION, 'aws:ResourceAccount': ACCOUNT } }],
    ['kms:Encrypt', { StringLike: { 'aws:userid': 'AIDA*' } }],
    // No AWS service stands between a caller and this server: every call is direct.
    ['kms:Encrypt', { Bool: { 'aws:ViaAWSService': 'false', 'aws:PrincipalIsAWSService': 'false' } }],
  ];
  for (const [Action, Condition] of denies) {
    const { KeyMetadata } = await dev.send(new CreateKeyCommand({ Policy: policyDenyingMallory({ Action, Condition }) }));
    const KeyId = KeyMetadata!.KeyId!;
    await rejectsWith(mallory.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException', /explicit deny/, JSON.stringify(Condition));
    await dev.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
  }

  // The encryption algorithm is presented by every operation that takes one, whether sent or left to its default.
  const { KeyMetadata } = await dev.send(new CreateKeyCommand({
    Policy: policyDenyingMallory({ Action: ['kms:Decrypt', 'kms:ReEncryptFrom', 'kms:GenerateDataKey'], Condition: { StringEquals: { 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT' } } }),
  }));
  const KeyId = KeyMetadata!.KeyId!;
  const { CiphertextBlob } = await mallory.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
  await rejectsWith(mallory.send(new DecryptCommand({ CiphertextBlob })), 'AccessDeniedException', /explicit deny/);
  await rejectsWith(mallory.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: KeyId })), 'AccessDeniedException', /explicit deny/);
  await rejectsWith(mallory.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' })), 'AccessDeniedException', /explicit deny/);
  await dev.send(new DecryptCommand({ CiphertextBlob }));
});

test('the parameters AWS presents as condition keys are there: a Deny on bypassing the lockout check, a short deletion window or a rotation period applies', async () => {
  const { KeyMetadata } = await dev.send(new CreateKeyCommand({
    Policy: policyDenyingMallory(
      { Action: 'kms:PutKeyPolicy', Condition: { Bool: { 'kms:BypassPolicyLockoutSafetyCheck': 'true' } } },
      { Action: 'kms:ScheduleKeyDeletion', Condition: { StringEquals: { 'kms:ScheduleKeyDeletionPendingWindowInDays': ['7', '8'] } } },
      { Action: 'kms:EnableKeyRotation', Condition: { StringEquals: { 'kms:RotationPeriodInDays': '90' } } },
    ),
  }));
  const KeyId = KeyMetadata!.KeyId!;
  // A policy that would lock every user out: only a bypass of the check could set it.
  const lockout = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/dev` }, Action: 'kms:*', Resource: '*' }] });
  await rejectsWith(mallory.send(new PutKeyPolicyCommand({ KeyId, Policy: lockout, BypassPolicyLockoutSafetyCheck: true })), 'AccessDeniedException', /explicit deny/);
  await rejectsWith(mallory.send(new PutKeyPolicyCommand({ KeyId, Policy: lockout })), 'MalformedPolicyDocumentException', /will not allow you to update the key policy/);
  // The check judges the caller's next PutKeyPolicy with this call's condition keys: over this plain-HTTP connection it would be denied.
  const deniedOverHttp = policyDenyingMallory({ Action: 'kms:PutKeyPolicy', Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
  await rejectsWith(mallory.send(new PutKeyPolicyCommand({ KeyId, Policy: deniedOverHttp })), 'MalformedPolicyDocumentException', /will not allow you to update the key policy/);
  await rejectsWith(mallory.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 7 })), 'AccessDeniedException', /explicit deny/);
  await rejectsWith(mallory.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 90 })), 'AccessDeniedException', /explicit deny/);
  await mallory.send(new EnableKeyRotationCommand({ KeyId, RotationPeriodInDays: 365 }));
  assert.equal((await dev.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.KeyState, 'Enabled');
  await mallory.send(new ScheduleKeyDeletionCommand({ KeyId, PendingWindowInDays: 30 }));
});

test('policy variables, which this server does not substitute, are refused when the policy is written', async () => {
  const withVariable = (Version: string) => JSON.stringify({
    Version,
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { StringNotEquals: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/\${aws:username}` } } },
    ],
  });
  await rejectsWith(dev.send(new CreateKeyCommand({ Policy: withVariable('2012-10-17') })), 'MalformedPolicyDocumentException', /policy variables such as \$\{aws:username\} are not supported \(Condition\.StringNotEquals\)/);
  // Before 2012-10-17 there are no policy variables: `${` is text.
  await dev.send(new CreateKeyCommand({ Policy: withVariable('2008-10-17') }));
  await rejectsWith(dev.send(new CreateKeyCommand({ Policy: policyDenyingMallory({ Action: 'kms:Encrypt', Condition: { IpAddress: { 'aws:SourceIp': 'not-an-address' } } }) })),
    'MalformedPolicyDocumentException', /IpAddress takes IP addresses or CIDR ranges/);
});

test('a wildcard inside a principal ARN is refused when the policy is written, so a Deny cannot silently miss its callers', async () => {
  const denying = (principal: string) => JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Deny', Principal: { AWS: principal }, Action: 'kms:Decrypt', Resource: '*' },
    ],
  });
  for (const principal of [`arn:aws:iam::${ACCOUNT}:user/*`, `arn:aws:iam::${ACCOUNT}:user/mallor?`]) {
    await rejectsWith(dev.send(new CreateKeyCommand({ Policy: denying(principal) })), 'MalformedPolicyDocumentException', /a principal ARN cannot hold a wildcard/, principal);
  }
  const KeyId = (await dev.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  await rejectsWith(dev.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: denying(`arn:aws:iam::${ACCOUNT}:user/*`) })), 'MalformedPolicyDocumentException');
  // The way to reach every user: "*" with a condition on the caller's ARN, which does apply.
  const Policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Deny', Principal: '*', Action: 'kms:Decrypt', Resource: '*', Condition: { ArnLike: { 'aws:PrincipalArn': `arn:aws:iam::${ACCOUNT}:user/mall*` } } },
    ],
  });
  await dev.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy }));
  const { CiphertextBlob } = await dev.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
  await rejectsWith(mallory.send(new DecryptCommand({ CiphertextBlob })), 'AccessDeniedException');
  assert.equal(Buffer.from((await dev.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString(), 'x');
});

test('a caller whose policies grant the operation nothing may send 1,000 JSON values and 64 KiB as audited: past them, AccessDenied at once, its event without parameters', async () => {
  const res = await fetch(`${server.endpoint}/v1/kms/users/nobody`, {
    method: 'POST', headers: { 'x-vault-token': server.rootToken, 'content-type': 'application/json' }, body: JSON.stringify({ policies: ['default'] }),
  });
  const { data } = await res.json() as { data: { access_key_id: string; secret_access_key: string } };
  const nobody = client(data.access_key_id, data.secret_access_key);
  try {
    const KeyId = (await dev.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const context = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    const auditLines = () => readFileSync(server.auditFile, 'utf8').length;

    // Within the small allowance: refused by the ACL, its parameters recorded as sent.
    await rejectsWith(nobody.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), EncryptionContext: context(10) })), 'AccessDeniedException',
      /^User: arn:aws:iam::111122223333:user\/nobody is not authorized to perform: kms:Encrypt because no identity-based policy allows the kms:Encrypt action$/);
    assert.deepEqual(lastEvent('Encrypt').requestParameters, { keyId: KeyId, encryptionContext: context(10), encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });

    // Past it: the same refusal, with none of the body in the audit log or the event.
    const before = auditLines();
    const started = performance.now();
    await rejectsWith(nobody.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), EncryptionContext: context(20_000) })), 'AccessDeniedException',
      /^User: arn:aws:iam::111122223333:user\/nobody is not authorized to perform: kms:Encrypt because no identity-based policy allows the kms:Encrypt action$/);
    const event = lastEvent('Encrypt');
    assert.deepEqual([event.errorCode, event.requestParameters, event.userIdentity.userName], ['AccessDenied', { omitted: true }, 'nobody']);
    const added = readFileSync(server.auditFile, 'utf8').slice(before).trim().split('\n').map((l) => JSON.parse(l) as { type: string; error?: string; request: { id: string; data?: unknown; path: string } });
    const refused = added.filter((e) => e.request.path === 'kms/aws/Encrypt');
    assert.deepEqual(refused.map((e) => [e.type, e.request.data]), [['request', undefined], ['response', undefined]]);
    // The ACL's refusal, as any caller it refuses gets it.
    const small = added.length === 0 ? [] : readFileSync(server.auditFile, 'utf8').slice(0, before).trim().split('\n').map((l) => JSON.parse(l) as { type: string; error?: string; request: { path: string } })
      .filter((e) => e.request.path === 'kms/aws/Encrypt').slice(-2);
    assert.deepEqual(refused.map((e) => e.error), small.map((e) => e.error));
    assert.match(refused[0].error ?? '', /permission denied/);
    assert.ok(readFileSync(server.auditFile, 'utf8').length - before < 20_000, 'two entries without the body');
    assert.ok(performance.now() - started < 2000, `${performance.now() - started} ms`);

    // Keys are audited as sent: 12,000 `<` are 72,000 bytes as written, past a refused call's 64 KiB.
    await rejectsWith(nobody.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { ['<'.repeat(12_000)]: 'v' } })), 'AccessDeniedException');
    assert.deepEqual(lastEvent('Encrypt').requestParameters, { omitted: true });
    assert.ok(readFileSync(server.auditFile, 'utf8').length - before < 40_000, 'no entry holds the key');

    // A caller the ACL lets through keeps the listener's limits: the operation itself refuses the context.
    await rejectsWith(mallory.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x'), EncryptionContext: context(20_000) })), 'ValidationException');
  } finally {
    nobody.destroy();
  }
});

/** Root's Vault API call to the KMS users table. */
async function usersApi(method: 'POST' | 'DELETE', name: string): Promise<{ access_key_id: string; secret_access_key: string; principal_id: string } | undefined> {
  const res = await fetch(`${server.endpoint}/v1/kms/users/${name}`, {
    method, headers: { 'x-vault-token': server.rootToken, 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify({ policies: ['kms-dev'] }) : undefined,
  });
  assert.ok(res.ok, `${method} kms/users/${name}: ${res.status}`);
  return res.status === 204 ? undefined : ((await res.json()) as { data: { access_key_id: string; secret_access_key: string; principal_id: string } }).data;
}

test('a key policy grants the user it named when written: not a later user of the same name, nor a name that names no one', async () => {
  const first = (await usersApi('POST', 'dave'))!;
  let dave = client(first.access_key_id, first.secret_access_key);
  try {
    const statement = (effect: string, principal: string, action: string) => ({ Effect: effect, Principal: { AWS: principal }, Action: action, Resource: '*' });
    const Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        statement('Allow', `arn:aws:iam::${ACCOUNT}:user/dev`, 'kms:*'),
        statement('Allow', `arn:aws:iam::${ACCOUNT}:user/dave`, 'kms:*'),
        // User names are unique whatever their case: this names mallory, and its Deny applies to her.
        statement('Allow', MALLORY, 'kms:*'),
        statement('Deny', `arn:aws:iam::${ACCOUNT}:user/Mallory`, 'kms:Encrypt'),
      ],
    });
    const KeyId = (await dev.send(new CreateKeyCommand({ Policy }))).KeyMetadata!.KeyId!;
    await rejectsWith(mallory.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') })), 'AccessDeniedException', /explicit deny/);
    const { CiphertextBlob } = await dave.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('dave#1 private data') }));
    assert.equal((await dev.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }))).Policy, Policy, 'shown as written while its users exist');

    // The user is deleted and a new one takes the name: the policy does not grant the newcomer.
    await usersApi('DELETE', 'dave');
    const second = (await usersApi('POST', 'dave'))!;
    assert.notEqual(second.principal_id, first.principal_id);
    dave.destroy();
    dave = client(second.access_key_id, second.secret_access_key);
    await rejectsWith(dave.send(new DecryptCommand({ CiphertextBlob })), 'AccessDeniedException', /^User: arn:aws:iam::111122223333:user\/dave is not authorized to perform: kms:Decrypt/);
    // GetKeyPolicy shows the grant as IAM does: the deleted user's unique id in place of its ARN.
    const shown = JSON.parse((await dev.send(new GetKeyPolicyCommand({ KeyId, PolicyName: 'default' }))).Policy!) as { Statement: Array<{ Principal: { AWS: string } }> };
    assert.deepEqual(shown.Statement.map((s) => s.Principal.AWS), [`arn:aws:iam::${ACCOUNT}:user/dev`, first.principal_id, MALLORY, `arn:aws:iam::${ACCOUNT}:user/Mallory`]);
    // Writing the policy again binds the name to the user who has it now.
    await dev.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy }));
    assert.equal(Buffer.from((await dave.send(new DecryptCommand({ CiphertextBlob }))).Plaintext!).toString(), 'dave#1 private data');

    // A principal that names no one is refused, as IAM refuses it: it could only ever grant a future namesake.
    for (const principal of [`arn:aws:iam::${ACCOUNT}:user/nobody-yet`, `arn:aws:iam::${ACCOUNT}:role/admin`, `arn:aws:sts::${ACCOUNT}:assumed-role/admin/s`]) {
      const naming = JSON.stringify({ Statement: [statement('Allow', `arn:aws:iam::${ACCOUNT}:user/dev`, 'kms:*'), statement('Allow', principal, 'kms:Decrypt')] });
      await rejectsWith(dev.send(new CreateKeyCommand({ Policy: naming })), 'MalformedPolicyDocumentException', /invalid principals/);
      await rejectsWith(dev.send(new PutKeyPolicyCommand({ KeyId, PolicyName: 'default', Policy: naming })), 'MalformedPolicyDocumentException', /invalid principals/);
    }
    // The account root, another account's principal and a token's principal are taken as written.
    const tokenPrincipal = `arn:aws:iam::${ACCOUNT}:user/sealtrail-token/tok-${'0'.repeat(24)}`;
    await dev.send(new CreateKeyCommand({ Policy: JSON.stringify({ Statement: [statement('Allow', `arn:aws:iam::${ACCOUNT}:root`, 'kms:*'), statement('Allow', 'arn:aws:iam::999988887777:user/x', 'kms:Decrypt'), statement('Allow', tokenPrincipal, 'kms:Decrypt')] }) }));
  } finally {
    dave.destroy();
  }
});

test('a key policy element the grammar does not have is refused, never ignored', async () => {
  const allowDev = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/dev` }, Action: 'kms:*', Resource: '*' };
  const conditional = { Effect: 'Allow', Principal: { AWS: MALLORY }, Action: 'kms:Decrypt', Resource: '*' };
  for (const [extra, message] of [
    [{ Conditon: { StringEquals: { 'kms:EncryptionContext:tenant': 'mallory' } } }, /unknown element "Conditon"/],
    [{ condition: { StringEquals: { 'kms:EncryptionContext:tenant': 'mallory' } } }, /unknown element "condition"/],
    [{ NotPrincipal: { AWS: MALLORY } }, /NotPrincipal is not supported/],
  ] as const) {
    const Policy = JSON.stringify({ Version: '2012-10-17', Statement: [allowDev, { ...conditional, ...extra }] });
    await rejectsWith(dev.send(new CreateKeyCommand({ Policy })), 'MalformedPolicyDocumentException', message);
  }
  await rejectsWith(dev.send(new CreateKeyCommand({ Policy: JSON.stringify({ Version: '2012-10-17', Statment: [allowDev], Statement: [allowDev] }) })), 'MalformedPolicyDocumentException', /unknown element "Statment"/);
});

test('CloudTrail records a refusal as AWS does, errorCode AccessDenied, while the caller gets AccessDeniedException', async () => {
  const res = await fetch(`${server.endpoint}/v1/kms/users/refused`, {
    method: 'POST', headers: { 'x-vault-token': server.rootToken, 'content-type': 'application/json' }, body: JSON.stringify({ policies: ['default'] }),
  });
  const { data } = await res.json() as { data: { access_key_id: string; secret_access_key: string } };
  const refused = client(data.access_key_id, data.secret_access_key);
  try {
    const { KeyMetadata } = await dev.send(new CreateKeyCommand({ Policy: policyDenyingMallory({ Action: 'kms:DescribeKey', Condition: {} }) }));
    const KeyId = KeyMetadata!.KeyId!;
    // Refused by the key policy.
    await rejectsWith(mallory.send(new DescribeKeyCommand({ KeyId })), 'AccessDeniedException', /with an explicit deny in a resource-based policy$/);
    const byKeyPolicy = lastEvent('DescribeKey');
    assert.deepEqual([byKeyPolicy.userIdentity.userName, byKeyPolicy.errorCode], ['mallory', 'AccessDenied']);
    assert.match(byKeyPolicy.errorMessage ?? '', /with an explicit deny in a resource-based policy$/);
    // Refused by the caller's own (Vault) policies, as IAM refuses it.
    await rejectsWith(refused.send(new DescribeKeyCommand({ KeyId })), 'AccessDeniedException', /because no identity-based policy allows the kms:DescribeKey action$/);
    const byAcl = lastEvent('DescribeKey');
    assert.deepEqual([byAcl.userIdentity.userName, byAcl.errorCode], ['refused', 'AccessDenied']);
  } finally {
    refused.destroy();
  }
});
