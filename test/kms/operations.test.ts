import { test } from 'node:test';
import assert from 'node:assert/strict';
import { keyMaterialId } from '../../src/kms/keys/material-id.js';
import { createKeyStore } from '../../src/kms/keys/store.js';
import type { KmsServices } from '../../src/kms/operations/context.js';
import { KMS_OPERATIONS } from '../../src/kms/operations/registry.js';
import { ALIASES_PER_KEY } from '../../src/kms/operations/aliases.js';
import { ON_DEMAND_ROTATIONS_PER_KEY } from '../../src/kms/operations/rotation.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:user/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const DAY = 86_400_000;

function setup() {
  const clock = manualClock(Date.UTC(2025, 0, 1));
  // The account's users: name → principal id (deleting or re-creating one changes the map).
  const users = new Map([['alice', 'AIDAALICE1'], ['bob', 'AIDABOB1']]);
  const svc: KmsServices = {
    keys: createKeyStore(createMemoryStorage()), location: { accountId: ACCOUNT, region: 'us-east-1' }, clock,
    recipient: { trustedRoots: () => [], clock },
    users: {
      find: async (name) => {
        const found = [...users].find(([n]) => n.toLowerCase() === name.toLowerCase());
        return found && { name: found[0], principalId: found[1] };
      },
    },
  };
  const callAs = (principalArn: string, op: string, body: Record<string, unknown> = {}) =>
    KMS_OPERATIONS[op].handler({ body, principalArn, principalId: users.get(principalArn.slice(principalArn.indexOf(':user/') + 6)) ?? 'none', notes: { resources: [] }, requestConditions: {}, requestAliases: new Map() }, svc) as Promise<Record<string, any>>;
  const call = (op: string, body: Record<string, unknown> = {}) => callAs(ALICE, op, body);
  return { svc, clock, call, callAs, users };
}

async function rejects(p: Promise<unknown>, code: string, message?: string) {
  await assert.rejects(p, (err: Error & { code?: string }) => {
    assert.equal(err.code, code, err.message);
    if (message !== undefined) assert.equal(err.message, message);
    return true;
  });
}

test('AWS validation errors, exactly', async () => {
  const { call } = setup();
  const { KeyMetadata } = await call('CreateKey');
  const keyId = KeyMetadata.KeyId;
  const big = Buffer.alloc(4097).toString('base64');
  await rejects(call('Encrypt', { KeyId: keyId, Plaintext: big }), 'ValidationException', "1 validation error detected: Value at 'plaintext' failed to satisfy constraint: Member must have length less than or equal to 4096");
  await rejects(call('GenerateRandom', { NumberOfBytes: 0 }), 'ValidationException', "1 validation error detected: Value '0' at 'numberOfBytes' failed to satisfy constraint: Member must have value greater than or equal to 1");
  await rejects(call('GenerateRandom', {}), 'ValidationException', 'NumberOfBytes is required.');
  await rejects(call('GenerateDataKey', { KeyId: keyId, NumberOfBytes: 2048 }), 'ValidationException', "1 validation error detected: Value '2048' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024");
  await rejects(call('GenerateDataKey', { KeyId: keyId }), 'ValidationException', 'Please specify either number of bytes or key spec.');
  await rejects(call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_512' }), 'ValidationException', "1 validation error detected: Value 'AES_512' at 'keySpec' failed to satisfy constraint: Member must satisfy enum value set: [AES_256, AES_128]");
  await rejects(call('ListKeys', { Limit: 1001 }), 'ValidationException', "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000");
  await rejects(call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: 6 }), 'ValidationException', "1 validation error detected: Value '6' at 'pendingWindowInDays' failed to satisfy constraint: Member must have value greater than or equal to 7");
  await rejects(call('Encrypt', { KeyId: keyId, Plaintext: 'aGk=', EncryptionAlgorithm: 'RSAES_OAEP_SHA_256' }), 'InvalidKeyUsageException');
  await rejects(call('Encrypt', { Plaintext: 'aGk=' }), 'ValidationException', "1 validation error detected: Value null at 'keyId' failed to satisfy constraint: Member must not be null");
  await rejects(call('Encrypt', { KeyId: keyId, Plaintext: 42 }), 'SerializationException');
  await rejects(call('DescribeKey', { KeyId: 'nope' }), 'NotFoundException', "Invalid keyId 'nope'");
  await rejects(call('DescribeKey', { KeyId: 'alias/missing' }), 'NotFoundException', `Alias 'arn:aws:kms:us-east-1:${ACCOUNT}:alias/missing' is not found.`);
  await rejects(call('EnableKey', { KeyId: 'alias/x' }), 'NotFoundException', "Invalid keyId 'alias/x'");
  await rejects(call('Decrypt', { CiphertextBlob: Buffer.from('garbage').toString('base64') }), 'InvalidCiphertextException');
  await rejects(call('CreateAlias', { AliasName: 'alias/aws/mine', TargetKeyId: keyId }), 'InvalidAliasNameException');
});

test('an alias name without the alias/ prefix is refused as AWS refuses it: ValidationException, on every alias operation', async () => {
  const { call } = setup();
  const keyId = (await call('CreateKey')).KeyMetadata.KeyId;
  const message = 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html';
  await rejects(call('CreateAlias', { AliasName: 'mine', TargetKeyId: keyId }), 'ValidationException', message);
  await rejects(call('UpdateAlias', { AliasName: 'mine', TargetKeyId: keyId }), 'ValidationException', message);
  await rejects(call('DeleteAlias', { AliasName: 'mine' }), 'ValidationException', message);
});

test('rotation: new material encrypts, old ciphertexts still decrypt; IncorrectKey; deletion lifecycle', async () => {
  const { call, clock, svc } = setup();
  const a = (await call('CreateKey')).KeyMetadata.KeyId;
  const b = (await call('CreateKey')).KeyMetadata.KeyId;
  const before = await call('Encrypt', { KeyId: a, Plaintext: Buffer.from('v1').toString('base64') });
  await call('EnableKeyRotation', { KeyId: a, RotationPeriodInDays: 90 });
  assert.equal((await call('GetKeyRotationStatus', { KeyId: a })).NextRotationDate, (clock.now() + 90 * DAY) / 1000);
  clock.advance(91 * DAY);
  const after = await call('Encrypt', { KeyId: a, Plaintext: Buffer.from('v2').toString('base64') });
  assert.equal(Buffer.from(before.CiphertextBlob, 'base64').readUInt32BE(37), 1);
  assert.equal(Buffer.from(after.CiphertextBlob, 'base64').readUInt32BE(37), 2);
  assert.equal(Buffer.from((await call('Decrypt', { CiphertextBlob: before.CiphertextBlob })).Plaintext, 'base64').toString(), 'v1');
  assert.equal(Buffer.from((await call('Decrypt', { CiphertextBlob: after.CiphertextBlob })).Plaintext, 'base64').toString(), 'v2');
  await rejects(call('Decrypt', { CiphertextBlob: before.CiphertextBlob, KeyId: b }), 'IncorrectKeyException');

  const re = await call('ReEncrypt', { CiphertextBlob: before.CiphertextBlob, DestinationKeyId: b, DestinationEncryptionContext: { k: 'v' } });
  assert.equal(re.SourceKeyId, `arn:aws:kms:us-east-1:${ACCOUNT}:key/${a}`);
  assert.equal(Buffer.from((await call('Decrypt', { CiphertextBlob: re.CiphertextBlob, EncryptionContext: { k: 'v' } })).Plaintext, 'base64').toString(), 'v1');

  await call('CreateAlias', { AliasName: 'alias/a', TargetKeyId: a });
  const scheduled = await call('ScheduleKeyDeletion', { KeyId: a, PendingWindowInDays: 7 });
  assert.equal(scheduled.KeyState, 'PendingDeletion');
  assert.equal(scheduled.DeletionDate, (clock.now() + 7 * DAY) / 1000);
  await rejects(call('Decrypt', { CiphertextBlob: after.CiphertextBlob }), 'KMSInvalidStateException', `arn:aws:kms:us-east-1:${ACCOUNT}:key/${a} is pending deletion.`);
  const meta = (await call('DescribeKey', { KeyId: 'alias/a' })).KeyMetadata;
  // As AWS shows a single-Region key pending deletion: its date; PendingDeletionWindowInDays is only a multi-Region primary's.
  assert.equal(meta.DeletionDate, (clock.now() + 7 * DAY) / 1000);
  assert.equal('PendingDeletionWindowInDays' in meta, false);
  await call('CancelKeyDeletion', { KeyId: a });
  assert.equal((await call('DescribeKey', { KeyId: a })).KeyMetadata.KeyState, 'Disabled');
  await call('ScheduleKeyDeletion', { KeyId: a, PendingWindowInDays: 7 });
  clock.advance(7 * DAY);
  await rejects(call('DescribeKey', { KeyId: a }), 'NotFoundException', `Key 'arn:aws:kms:us-east-1:${ACCOUNT}:key/${a}' does not exist`);
  assert.equal(await svc.keys.getAlias('alias/a'), undefined);
});

test('ListKeys pages with Marker; aliases and tags', async () => {
  const { call } = setup();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) ids.push((await call('CreateKey', { Tags: [{ TagKey: 'n', TagValue: String(i) }] })).KeyMetadata.KeyId);
  const seen: string[] = [];
  let marker: string | undefined;
  for (let page = 0; page < 3; page++) {
    const r = await call('ListKeys', { Limit: 2, ...(marker ? { Marker: marker } : {}) });
    seen.push(...r.Keys.map((k: { KeyId: string }) => k.KeyId));
    assert.equal(r.Truncated, page < 2);
    marker = r.NextMarker;
  }
  assert.deepEqual(seen, [...ids].sort());
  await call('CreateAlias', { AliasName: 'alias/one', TargetKeyId: ids[0] });
  await rejects(call('CreateAlias', { AliasName: 'alias/one', TargetKeyId: ids[1] }), 'AlreadyExistsException');
  await call('UpdateAlias', { AliasName: 'alias/one', TargetKeyId: ids[1] });
  const aliases = (await call('ListAliases', {})).Aliases;
  assert.deepEqual(aliases.map((x: { AliasName: string; TargetKeyId: string }) => [x.AliasName, x.TargetKeyId]), [['alias/one', ids[1]]]);
  await call('TagResource', { KeyId: ids[1], Tags: [{ TagKey: 'n', TagValue: 'x' }, { TagKey: 'env', TagValue: 'prod' }] });
  await call('UntagResource', { KeyId: ids[1], TagKeys: ['env'] });
  assert.deepEqual((await call('ListResourceTags', { KeyId: ids[1] })).Tags, [{ TagKey: 'n', TagValue: 'x' }]);
  // Pages resume after the last key given, whatever changed in between: no live tag is skipped.
  await call('TagResource', { KeyId: ids[1], Tags: Array.from({ length: 24 }, (_, i) => ({ TagKey: `t${String(i).padStart(2, '0')}`, TagValue: '' })) });
  const first = await call('ListResourceTags', { KeyId: ids[1], Limit: 10 });
  assert.deepEqual(first.Tags.map((t: { TagKey: string }) => t.TagKey), ['n', ...Array.from({ length: 9 }, (_, i) => `t0${i}`)]);
  await call('UntagResource', { KeyId: ids[1], TagKeys: ['n', 't00', 't09', 't10'] });
  const second = await call('ListResourceTags', { KeyId: ids[1], Limit: 10, Marker: first.NextMarker });
  assert.deepEqual(second.Tags.map((t: { TagKey: string }) => t.TagKey), Array.from({ length: 10 }, (_, i) => `t${String(i + 11)}`));
  await rejects(call('ListResourceTags', { KeyId: ids[1], Marker: 'MQ' }), 'InvalidMarkerException');
  await call('UntagResource', { KeyId: ids[1], TagKeys: Array.from({ length: 24 }, (_, i) => `t${String(i).padStart(2, '0')}`) });
  await call('TagResource', { KeyId: ids[1], Tags: [{ TagKey: 'n', TagValue: 'x' }] });
  await rejects(call('TagResource', { KeyId: ids[1], Tags: [{ TagKey: 'aws:x', TagValue: '' }] }), 'TagException');
  await call('DeleteAlias', { AliasName: 'alias/one' });
  assert.deepEqual((await call('ListAliases', {})).Aliases, []);
  const policy = JSON.parse((await call('GetKeyPolicy', { KeyId: ids[0], PolicyName: 'default' })).Policy);
  assert.deepEqual(policy.Statement[0].Principal, { AWS: `arn:aws:iam::${ACCOUNT}:root` });
  await rejects(call('PutKeyPolicy', { KeyId: ids[0], Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/bob` }, Action: 'kms:*', Resource: '*' }] }) }),
    'MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
});

test('an encryption context holds at most 8,192 bytes of keys and values, on every operation that reads one', async () => {
  const { call } = setup();
  const keyId = (await call('CreateKey')).KeyMetadata.KeyId;
  const plaintext = Buffer.from('x').toString('base64');
  // 8,192 bytes: a 2-byte key and 8,190 bytes of value, one of them a 2-byte character.
  const atLimit = { ab: `é${'v'.repeat(8188)}` };
  const overLimit = { ab: `é${'v'.repeat(8189)}` };
  const sealed = await call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: atLimit });
  assert.equal(Buffer.from((await call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: atLimit })).Plaintext, 'base64').toString(), 'x');
  const refused = (member: string) => `1 validation error detected: Value at '${member}' failed to satisfy constraint: Member must hold keys and values of at most 8192 bytes in total`;
  await rejects(call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: overLimit }), 'ValidationException', refused('encryptionContext'));
  await rejects(call('Decrypt', { CiphertextBlob: sealed.CiphertextBlob, EncryptionContext: overLimit }), 'ValidationException', refused('encryptionContext'));
  await rejects(call('GenerateDataKey', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: overLimit }), 'ValidationException', refused('encryptionContext'));
  await rejects(call('GenerateDataKeyWithoutPlaintext', { KeyId: keyId, KeySpec: 'AES_256', EncryptionContext: overLimit }), 'ValidationException', refused('encryptionContext'));
  await rejects(call('ReEncrypt', { CiphertextBlob: sealed.CiphertextBlob, SourceEncryptionContext: overLimit, DestinationKeyId: keyId }), 'ValidationException', refused('sourceEncryptionContext'));
  await rejects(call('ReEncrypt', { CiphertextBlob: sealed.CiphertextBlob, SourceEncryptionContext: atLimit, DestinationKeyId: keyId, DestinationEncryptionContext: overLimit }), 'ValidationException', refused('destinationEncryptionContext'));
  // Many small pairs count together: 1,025 × 8 bytes.
  const many = Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`k${String(i).padStart(4, '0')}`, 'vvv']));
  await rejects(call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: many }), 'ValidationException', refused('encryptionContext'));
});

test('a context that repeats a key in another case neither escapes a Deny nor meets an Allow it conflicts with', async () => {
  const { call, callAs } = setup();
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' },
      { Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:Encrypt', Resource: '*' },
      { Effect: 'Deny', Principal: { AWS: BOB }, Action: ['kms:Encrypt', 'kms:Decrypt'], Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:dept': 'finance' } } },
      { Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:Decrypt', Resource: '*', Condition: { StringEquals: { 'kms:EncryptionContext:team': 'blue' } } },
    ],
  });
  const keyId = (await call('CreateKey', { Policy: policy })).KeyMetadata.KeyId;
  const plaintext = Buffer.from('x').toString('base64');
  const denied = `User: ${BOB} is not authorized to perform: kms:Encrypt on resource: arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId} with an explicit deny in a resource-based policy`;
  for (const context of [{ dept: 'finance', Dept: 'x' }, { Dept: 'x', dept: 'finance' }, { DEPT: 'finance' }]) {
    await rejects(callAs(BOB, 'Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context }), 'AccessDeniedException', denied);
  }
  await callAs(BOB, 'Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: { dept: 'x', Dept: 'y' } });

  const forBob = async (context: Record<string, string>) => (await call('Encrypt', { KeyId: keyId, Plaintext: plaintext, EncryptionContext: context })).CiphertextBlob as string;
  const notAllowed = `User: ${BOB} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:${ACCOUNT}:key/${keyId} because no resource-based policy allows the kms:Decrypt action`;
  for (const context of [{ team: 'blue', Team: 'red' }, { Team: 'red', team: 'blue' }]) {
    await rejects(callAs(BOB, 'Decrypt', { CiphertextBlob: await forBob(context), EncryptionContext: context }), 'AccessDeniedException', notAllowed);
  }
  const both = { team: 'blue', TEAM: 'blue' };
  assert.equal(Buffer.from((await callAs(BOB, 'Decrypt', { CiphertextBlob: await forBob(both), EncryptionContext: both })).Plaintext, 'base64').toString(), 'x');
});

test('a key stored without principal bindings is bound to the users its policy names at its first use', async () => {
  const { call, callAs, svc, users } = setup();
  const Policy = JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: { AWS: [ALICE, BOB, `arn:aws:iam::${ACCOUNT}:user/gone`] }, Action: 'kms:*', Resource: '*' }] });
  users.set('gone', 'AIDAGONE1');
  const keyId = (await call('CreateKey', { Policy })).KeyMetadata.KeyId;
  users.delete('gone');
  // As a key written before bindings were kept: the policy text only.
  await svc.keys.update(keyId, ({ principalIds: _bound, ...rest }) => rest);
  assert.equal((await svc.keys.get(keyId))!.principalIds, undefined);
  await callAs(BOB, 'DescribeKey', { KeyId: keyId });
  assert.deepEqual((await svc.keys.get(keyId))!.principalIds, { [ALICE]: 'AIDAALICE1', [BOB]: 'AIDABOB1', [`arn:aws:iam::${ACCOUNT}:user/gone`]: '' });
  // A later user named `gone` is no one the policy granted; nor is a new bob.
  users.set('gone', 'AIDAGONE2');
  await rejects(callAs(`arn:aws:iam::${ACCOUNT}:user/gone`, 'DescribeKey', { KeyId: keyId }), 'AccessDeniedException');
  users.set('bob', 'AIDABOB2');
  await rejects(callAs(BOB, 'DescribeKey', { KeyId: keyId }), 'AccessDeniedException');
  assert.deepEqual(JSON.parse((await call('GetKeyPolicy', { KeyId: keyId })).Policy).Statement[0].Principal.AWS, [ALICE, 'AIDABOB1', `arn:aws:iam::${ACCOUNT}:user/gone`]);
});

test('concurrent CreateAlias of one name: exactly one succeeds, the alias names its key', async () => {
  const { call, callAs } = setup();
  const ids: string[] = [];
  for (let i = 0; i < 10; i++) ids.push((await call('CreateKey')).KeyMetadata.KeyId);
  for (let round = 0; round < 5; round++) {
    const name = `alias/race-${round}`;
    // Half as alice, half as bob (the default policy lets the account's users in): one name, ten callers.
    const settled = await Promise.allSettled(ids.map((id, i) => callAs(i % 2 ? BOB : ALICE, 'CreateAlias', { AliasName: name, TargetKeyId: id })));
    const won = settled.flatMap((s, i) => (s.status === 'fulfilled' ? [ids[i]] : []));
    assert.equal(won.length, 1, `one CreateAlias of ${name} succeeds`);
    for (const s of settled) if (s.status === 'rejected') assert.equal((s.reason as { code?: string }).code, 'AlreadyExistsException');
    assert.equal((await call('DescribeKey', { KeyId: name })).KeyMetadata.KeyId, won[0], 'the alias names the winner\'s key');
  }
  // UpdateAlias and DeleteAlias racing each other: the alias ends deleted or updated, never both answered for a missing alias.
  await call('CreateAlias', { AliasName: 'alias/moving', TargetKeyId: ids[0] });
  const moves = await Promise.allSettled([call('DeleteAlias', { AliasName: 'alias/moving' }), call('UpdateAlias', { AliasName: 'alias/moving', TargetKeyId: ids[1] }), call('DeleteAlias', { AliasName: 'alias/moving' })]);
  assert.equal(moves.filter((m, i) => i !== 1 && m.status === 'fulfilled').length, 1, 'one of the two deletes finds the alias');
  await rejects(call('DescribeKey', { KeyId: 'alias/moving' }), 'NotFoundException');
});

test('key state changes check the state they change: concurrent ScheduleKeyDeletion and CancelKeyDeletion', async () => {
  const { call } = setup();
  const keyId = (await call('CreateKey')).KeyMetadata.KeyId;
  const scheduled = await Promise.allSettled([7, 8, 9, 10].map((days) => call('ScheduleKeyDeletion', { KeyId: keyId, PendingWindowInDays: days })));
  assert.equal(scheduled.filter((s) => s.status === 'fulfilled').length, 1, 'one schedule; the others find the key pending deletion');
  for (const s of scheduled) if (s.status === 'rejected') assert.equal((s.reason as { code?: string }).code, 'KMSInvalidStateException');
  const cancelled = await Promise.allSettled([1, 2, 3].map(() => call('CancelKeyDeletion', { KeyId: keyId })));
  assert.equal(cancelled.filter((s) => s.status === 'fulfilled').length, 1, 'one cancel; the others find the key no longer pending deletion');
  assert.equal((await call('DescribeKey', { KeyId: keyId })).KeyMetadata.KeyState, 'Disabled');
});

test("a key ARN of another Region is KMS's Invalid arn; of another account, a key that does not exist", async () => {
  const { call } = setup();
  const id = (await call('CreateKey')).KeyMetadata.KeyId;
  for (const op of ['DescribeKey', 'Encrypt', 'EnableKey']) {
    await rejects(call(op, { KeyId: `arn:aws:kms:us-west-2:${ACCOUNT}:key/${id}`, Plaintext: 'aGk=' }), 'NotFoundException', 'Invalid arn us-west-2');
    await rejects(call(op, { KeyId: `arn:aws:kms:eu-west-1:444455556666:key/${id}`, Plaintext: 'aGk=' }), 'NotFoundException', 'Invalid arn eu-west-1');
    const otherAccount = `arn:aws:kms:us-east-1:444455556666:key/${id}`;
    await rejects(call(op, { KeyId: otherAccount, Plaintext: 'aGk=' }), 'NotFoundException', `Key '${otherAccount}' does not exist`);
  }
});

test('rotation once due: calls that race rotate the key once', async () => {
  const { call, clock, svc } = setup();
  const a = (await call('CreateKey')).KeyMetadata.KeyId;
  await call('EnableKeyRotation', { KeyId: a, RotationPeriodInDays: 90 });
  clock.advance(91 * DAY);
  const blobs = await Promise.all([1, 2, 3].map(() => call('Encrypt', { KeyId: a, Plaintext: 'aGk=' })));
  assert.deepEqual(blobs.map((b) => Buffer.from(b.CiphertextBlob, 'base64').readUInt32BE(37)), [2, 2, 2]);
  assert.equal((await svc.keys.get(a))!.materials.length, 2);
});

test('each rotation, automatic or on demand, is reported as a RotateKey with its material ids', async () => {
  const { call, clock, svc } = setup();
  const rotations: Record<string, string>[] = [];
  svc.keyRotated = async (_keyId, details) => { rotations.push(details); };
  const a = (await call('CreateKey')).KeyMetadata.KeyId;
  await call('EnableKeyRotation', { KeyId: a, RotationPeriodInDays: 90 });
  clock.advance(91 * DAY);
  await Promise.all([1, 2].map(() => call('Encrypt', { KeyId: a, Plaintext: 'aGk=' })));
  await call('RotateKeyOnDemand', { KeyId: a });
  const ids = (await svc.keys.get(a))!.materials.map((m) => keyMaterialId(a, m));
  assert.deepEqual(rotations, [
    { rotationType: 'AUTOMATIC', keyOrigin: 'AWS_KMS', previousKeyMaterialId: ids[0], currentKeyMaterialId: ids[1], keyId: a },
    { rotationType: 'ON_DEMAND', keyOrigin: 'AWS_KMS', previousKeyMaterialId: ids[1], currentKeyMaterialId: ids[2], keyId: a },
  ]);
});

test('a rotation\'s RotateKey event is recorded before its material is stored: a process killed at the event leaves no material without one, and an event that cannot be recorded leaves the key as it was', async () => {
  const storage = createMemoryStorage();
  const { call, clock, svc } = setup();
  svc.keys = createKeyStore(storage);
  const a = (await call('CreateKey')).KeyMetadata.KeyId;
  await call('EnableKeyRotation', { KeyId: a, RotationPeriodInDays: 90 });
  // What a restart would read: the key as stored, not as cached.
  const storedMaterials = async () => (await createKeyStore(storage).get(a))!.materials.length;
  const seen: number[] = [];
  svc.keyRotated = async () => { seen.push(await storedMaterials()); };
  await call('RotateKeyOnDemand', { KeyId: a });
  clock.advance(91 * DAY);
  await call('Encrypt', { KeyId: a, Plaintext: 'aGk=' });
  assert.deepEqual(seen, [1, 2], 'when each event is recorded, its material is not yet stored');
  assert.equal(await storedMaterials(), 3);

  svc.keyRotated = async () => { throw new Error('the journal cannot take the event'); };
  await assert.rejects(call('RotateKeyOnDemand', { KeyId: a }));
  clock.advance(91 * DAY);
  await assert.rejects(call('Encrypt', { KeyId: a, Plaintext: 'aGk=' }));
  assert.equal(await storedMaterials(), 3, 'no rotation without its event');
  assert.equal((await svc.keys.get(a))!.materials.length, 3);
});

test('a deleted key\'s DeleteKey event is recorded before the key is removed; an event that cannot be recorded keeps the key until a later purge', async () => {
  const storage = createMemoryStorage();
  const { call, clock, svc } = setup();
  svc.keys = createKeyStore(storage);
  const a = (await call('CreateKey')).KeyMetadata.KeyId;
  await call('ScheduleKeyDeletion', { KeyId: a, PendingWindowInDays: 7 });
  clock.advance(8 * DAY);
  const stored = async () => (await createKeyStore(storage).get(a)) !== undefined;
  svc.keyDeleted = async () => { throw new Error('the journal cannot take the event'); };
  await assert.rejects(call('DescribeKey', { KeyId: a }));
  assert.equal(await stored(), true, 'no deletion without its event');
  const seen: boolean[] = [];
  svc.keyDeleted = async () => { seen.push(await stored()); };
  await rejects(call('DescribeKey', { KeyId: a }), 'NotFoundException');
  assert.deepEqual(seen, [true], 'when the event is recorded, the key is still stored');
  assert.equal(await stored(), false);
});

test('ListKeyRotations: each rotation with its date, type and material, in order, paged; ALL_KEY_MATERIAL adds the first', async () => {
  const { call, clock, svc } = setup();
  const a = (await call('CreateKey')).KeyMetadata.KeyId;
  assert.deepEqual(await call('ListKeyRotations', { KeyId: a }), { Rotations: [], Truncated: false });
  await call('EnableKeyRotation', { KeyId: a, RotationPeriodInDays: 90 });
  clock.advance(91 * DAY);
  await call('Encrypt', { KeyId: a, Plaintext: 'aGk=' });
  const automaticAt = clock.now() / 1000;
  clock.advance(DAY);
  await call('RotateKeyOnDemand', { KeyId: `arn:aws:kms:us-east-1:${ACCOUNT}:key/${a}` });
  const ids = (await svc.keys.get(a))!.materials.map((m) => keyMaterialId(a, m));
  const automatic = { KeyId: a, KeyMaterialId: ids[1], KeyMaterialState: 'NON_CURRENT', RotationDate: automaticAt, RotationType: 'AUTOMATIC' };
  const onDemand = { KeyId: a, KeyMaterialId: ids[2], KeyMaterialState: 'CURRENT', RotationDate: clock.now() / 1000, RotationType: 'ON_DEMAND' };
  assert.deepEqual(await call('ListKeyRotations', { KeyId: a }), { Rotations: [automatic, onDemand], Truncated: false });
  const all = await call('ListKeyRotations', { KeyId: a, IncludeKeyMaterial: 'ALL_KEY_MATERIAL' });
  assert.deepEqual(all.Rotations[0], { KeyId: a, KeyMaterialId: ids[0], KeyMaterialState: 'NON_CURRENT' });
  const first = await call('ListKeyRotations', { KeyId: a, Limit: 1 });
  assert.deepEqual([first.Rotations, first.Truncated], [[automatic], true]);
  assert.deepEqual(await call('ListKeyRotations', { KeyId: a, Limit: 1, Marker: first.NextMarker }), { Rotations: [onDemand], Truncated: false });
  await rejects(call('ListKeyRotations', { KeyId: a, Marker: 'nope' }), 'InvalidMarkerException');
  await rejects(call('ListKeyRotations', { KeyId: a, Limit: 1001 }), 'ValidationException', "1 validation error detected: Value '1001' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 1000");
  await rejects(call('ListKeyRotations', { KeyId: a, IncludeKeyMaterial: 'SOME' }), 'ValidationException', "1 validation error detected: Value 'SOME' at 'includeKeyMaterial' failed to satisfy constraint: Member must satisfy enum value set: [ALL_KEY_MATERIAL, ROTATIONS_ONLY]");
  await rejects(call('ListKeyRotations', { KeyId: 'alias/x' }), 'NotFoundException', "Invalid keyId 'alias/x'");
});

test('AWS quotas: 50 aliases per key, on-demand rotations per key; a ListAliases page reads only its own keys', async () => {
  const { svc, call } = setup();
  const a = (await call('CreateKey')).KeyMetadata.KeyId;
  const b = (await call('CreateKey')).KeyMetadata.KeyId;
  for (let i = 0; i < ALIASES_PER_KEY; i++) await call('CreateAlias', { AliasName: `alias/a${String(i).padStart(2, '0')}`, TargetKeyId: a });
  await rejects(call('CreateAlias', { AliasName: 'alias/one-too-many', TargetKeyId: a }), 'LimitExceededException');
  await call('CreateAlias', { AliasName: 'alias/b', TargetKeyId: b });
  await rejects(call('UpdateAlias', { AliasName: 'alias/b', TargetKeyId: a }), 'LimitExceededException');
  await call('UpdateAlias', { AliasName: 'alias/a00', TargetKeyId: b }); // moving one off makes room
  await call('CreateAlias', { AliasName: 'alias/one-more', TargetKeyId: a });

  // A page of 2 reads the keys of at most 3 aliases, not of all 52.
  let keyReads = 0;
  const get = svc.keys.get.bind(svc.keys);
  svc.keys.get = (id) => { keyReads++; return get(id); };
  const page = await call('ListAliases', { Limit: 2 });
  assert.equal(page.Aliases.length, 2);
  assert.equal(page.Truncated, true);
  assert.ok(keyReads <= 3, `${keyReads} key reads for a page of 2`);
  svc.keys.get = get;

  for (let i = 0; i < ON_DEMAND_ROTATIONS_PER_KEY; i++) await call('RotateKeyOnDemand', { KeyId: b });
  await rejects(call('RotateKeyOnDemand', { KeyId: b }), 'LimitExceededException');
  assert.equal((await svc.keys.get(b))!.materials.length, ON_DEMAND_ROTATIONS_PER_KEY + 1, 'the first material and one per rotation');
});

test('a key policy sees the key\'s aliases (kms:ResourceAliases) and ReEncrypt\'s kms:ReEncryptOnSameKey, as AWS presents them', async () => {
  const { call, callAs } = setup();
  const plaintext = Buffer.from('x').toString('base64');
  const policy = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' }, ...statements] });
  // A Deny on an alias name applies once the key has that alias.
  const quarantined = (await call('CreateKey', { Policy: policy(
    { Effect: 'Allow', Principal: { AWS: BOB }, Action: ['kms:Decrypt', 'kms:ReEncrypt*'], Resource: '*' },
    { Effect: 'Deny', Principal: '*', Action: ['kms:Decrypt', 'kms:ReEncrypt*'], Resource: '*', Condition: { 'ForAnyValue:StringLike': { 'kms:ResourceAliases': 'alias/quarantine*' } } },
    { Effect: 'Deny', Principal: '*', Action: 'kms:ReEncrypt*', Resource: '*', Condition: { Bool: { 'kms:ReEncryptOnSameKey': 'false' } } },
  ) })).KeyMetadata.KeyId as string;
  const other = (await call('CreateKey', { Policy: policy({ Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:ReEncrypt*', Resource: '*' }) })).KeyMetadata.KeyId as string;
  const blob = (await call('Encrypt', { KeyId: quarantined, Plaintext: plaintext })).CiphertextBlob as string;
  assert.equal((await callAs(BOB, 'Decrypt', { CiphertextBlob: blob })).Plaintext, plaintext);
  // The same key on both sides is allowed; to another key, the Deny on ReEncryptOnSameKey = false applies.
  await callAs(BOB, 'ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: quarantined });
  await rejects(callAs(BOB, 'ReEncrypt', { CiphertextBlob: blob, DestinationKeyId: other }), 'AccessDeniedException');
  await call('CreateAlias', { AliasName: 'alias/quarantine-db', TargetKeyId: quarantined });
  await rejects(callAs(BOB, 'Decrypt', { CiphertextBlob: blob }), 'AccessDeniedException',
    `User: ${BOB} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:us-east-1:${ACCOUNT}:key/${quarantined} with an explicit deny in a resource-based policy`);
  // Moved to another key, the alias takes the Deny with it.
  await call('UpdateAlias', { AliasName: 'alias/quarantine-db', TargetKeyId: other });
  assert.equal((await callAs(BOB, 'Decrypt', { CiphertextBlob: blob })).Plaintext, plaintext);

  // ForAllValues on the aliases: a key whose every alias matches (or that has none, as in AWS), not one with another alias.
  const tests = (await call('CreateKey', { Policy: policy(
    { Effect: 'Allow', Principal: { AWS: BOB }, Action: 'kms:Encrypt', Resource: '*', Condition: { 'ForAllValues:StringLike': { 'kms:ResourceAliases': 'alias/*Test*' } } },
  ) })).KeyMetadata.KeyId as string;
  await callAs(BOB, 'Encrypt', { KeyId: tests, Plaintext: plaintext });
  await call('CreateAlias', { AliasName: 'alias/myTestKey', TargetKeyId: tests });
  await callAs(BOB, 'Encrypt', { KeyId: tests, Plaintext: plaintext });
  await call('CreateAlias', { AliasName: 'alias/prod-payments', TargetKeyId: tests });
  await rejects(callAs(BOB, 'Encrypt', { KeyId: tests, Plaintext: plaintext }), 'AccessDeniedException');
  await call('DeleteAlias', { AliasName: 'alias/prod-payments' });
  await callAs(BOB, 'Encrypt', { KeyId: tests, Plaintext: plaintext });
});

test('a statement sees the condition keys of every layer at once: the operation\'s, the key\'s, the request\'s and the call\'s', async () => {
  const { call, callAs, svc } = setup();
  const allowBob = (Condition: Record<string, unknown>, Action: string | string[] = ['kms:Encrypt', 'kms:TagResource']) =>
    ({ Effect: 'Allow', Principal: { AWS: BOB }, Action, Resource: '*', Condition });
  const policy = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { AWS: ALICE }, Action: 'kms:*', Resource: '*' },
      allowBob({
        StringEquals: {
          'kms:EncryptionContext:app': 'web', 'kms:EncryptionAlgorithm': 'SYMMETRIC_DEFAULT', // the operation's
          'aws:ResourceTag/env': 'prod', 'kms:KeySpec': 'SYMMETRIC_DEFAULT', 'kms:RequestAlias': 'alias/web', // the key's and the alias named
          'kms:CallerAccount': ACCOUNT, 'aws:PrincipalArn': BOB, 'aws:SourceIp': '10.0.0.7', // the caller's and the request's
        },
        'ForAnyValue:StringEquals': { 'kms:ResourceAliases': 'alias/web' },
      }, 'kms:Encrypt'),
      allowBob({ StringEquals: { 'aws:RequestTag/team': 'blue' }, 'ForAllValues:StringEquals': { 'aws:TagKeys': ['team'] } }, 'kms:TagResource'),
    ],
  });
  const keyId = (await call('CreateKey', { Policy: policy, Tags: [{ TagKey: 'env', TagValue: 'prod' }] })).KeyMetadata.KeyId;
  await call('CreateAlias', { AliasName: 'alias/web', TargetKeyId: keyId });
  await svc.keys.aliasesLoaded();
  const bob = (op: string, body: Record<string, unknown>, sourceIp = '10.0.0.7') => KMS_OPERATIONS[op].handler({
    body, principalArn: BOB, principalId: 'AIDABOB1', notes: { resources: [] },
    requestConditions: { 'aws:sourceip': sourceIp }, requestAliases: new Map(),
  }, svc) as Promise<Record<string, any>>;
  const plaintext = Buffer.from('x').toString('base64');
  const encrypt = { KeyId: 'alias/web', Plaintext: plaintext, EncryptionContext: { app: 'web' } };
  await bob('Encrypt', encrypt);
  // Each layer's key, changed alone, refuses the call.
  await rejects(bob('Encrypt', { ...encrypt, EncryptionContext: { app: 'db' } }), 'AccessDeniedException');
  await rejects(bob('Encrypt', { ...encrypt, KeyId: keyId }), 'AccessDeniedException');
  await rejects(bob('Encrypt', encrypt, '10.0.0.8'), 'AccessDeniedException');
  await call('UntagResource', { KeyId: keyId, TagKeys: ['env'] });
  await rejects(bob('Encrypt', encrypt), 'AccessDeniedException');
  // A call's tags: aws:RequestTag/<key> and aws:TagKeys.
  await bob('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'blue' }] });
  await rejects(bob('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'red' }] }), 'AccessDeniedException');
  await rejects(bob('TagResource', { KeyId: keyId, Tags: [{ TagKey: 'team', TagValue: 'blue' }, { TagKey: 'env', TagValue: 'prod' }] }), 'AccessDeniedException');
  await rejects(callAs(BOB, 'Encrypt', encrypt), 'AccessDeniedException');
});
