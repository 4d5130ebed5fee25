import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPolicyStore, createTokenStore, type TokenStore } from '../../src/auth/index.js';
import type { BackendRequest, LogicalRequest, MountEntry, Operation, TokenEntry } from '../../src/core/index.js';
import { SealtrailError } from '../../src/errors/index.js';
import { createKmsEngine } from '../../src/kms/backend.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import type { TrailEventInput } from '../../src/trail/model.js';

const ACCOUNT = '111122223333';

function setup() {
  const clock = manualClock(Date.UTC(2025, 0, 1));
  const events: TrailEventInput[] = [];
  const storage = createMemoryStorage();
  // A root token is not a KMS user's linked token, so the user store never asks the token store.
  const engine = createKmsEngine({ storage, clock }, {
    accountId: ACCOUNT, region: 'us-east-1', tokens: {} as TokenStore, policies: createPolicyStore({ storage: createMemoryStorage() }), trustedRoots: () => [],
    recorder: { record: async (event) => { events.push(event); }, admit: () => undefined, pending: () => 0, failing: () => false, close: async () => 0 },
  });
  const token = { accessor: 'acc-root', policies: ['root'], path: 'auth/token/root' } as TokenEntry;
  let n = 0;
  const request = (op: string, data: Record<string, unknown>): BackendRequest => {
    const logical: LogicalRequest = {
      id: `req-${n++}`, operation: 'update', path: `kms/aws/${op}`, data, clientToken: 'root', remoteAddress: '127.0.0.1', remotePort: 1,
      headers: {}, wrapTtl: 0,
    };
    return { logical, operation: 'update', path: `aws/${op}`, data, mount: {} as MountEntry, token };
  };
  return { engine, events, token, request, storage, clock };
}

test('a failing KMS call hands its key to the CloudTrail event through the error it throws, with no side channel', async () => {
  const { engine, events, token, request } = setup();
  const created = await engine.backend.handleRequest(request('CreateKey', {}));
  const keyArn = (created!.data!.KeyMetadata as { Arn: string }).Arn;
  assert.deepEqual(created!.outcomeFacts, { resources: [keyArn] });
  const sealed = await engine.backend.handleRequest(request('Encrypt', { KeyId: keyArn, Plaintext: Buffer.from('x').toString('base64'), EncryptionContext: { a: 'b' } }));

  // The wrong encryption context: the key was resolved before the call failed.
  const decrypt = request('Decrypt', { CiphertextBlob: sealed!.data!.CiphertextBlob, EncryptionContext: { a: 'c' } });
  const error = await engine.backend.handleRequest(decrypt).then(() => assert.fail('Decrypt should fail'), (err: unknown) => err);
  assert.ok(error instanceof SealtrailError);
  assert.equal(error.code, 'InvalidCiphertextException');
  assert.deepEqual(error.outcomeFacts, { resources: [keyArn] });
  assert.equal(error.auditData, undefined);

  // The event is built from what the outcome carries and nothing else: without the facts, no key.
  await engine.backend.recordOutcome!({ request: decrypt.logical, path: decrypt.path, token, error });
  await engine.backend.recordOutcome!({ request: decrypt.logical, path: decrypt.path, token, error, facts: error.outcomeFacts });
  assert.equal(events.length, 2);
  assert.deepEqual(events[0].resources, []);
  assert.deepEqual(events[1].resources, [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', arn: keyArn }]);
  assert.equal(events[1].errorCode, 'InvalidCiphertextException');
  assert.equal(events[1].requestId, decrypt.logical.id);
});

test('a key past its deletion date is deleted, material and aliases, by the sweep even if no call names it again', async () => {
  const { engine, request, storage, clock } = setup();
  const keyIdOf = async () => ((await engine.backend.handleRequest(request('CreateKey', {})))!.data!.KeyMetadata as { KeyId: string }).KeyId;
  const doomed = await keyIdOf();
  const kept = await keyIdOf();
  const later = await keyIdOf();
  await engine.backend.handleRequest(request('CreateAlias', { AliasName: 'alias/doomed', TargetKeyId: doomed }));
  await engine.backend.handleRequest(request('ScheduleKeyDeletion', { KeyId: doomed, PendingWindowInDays: 7 }));
  await engine.backend.handleRequest(request('ScheduleKeyDeletion', { KeyId: later, PendingWindowInDays: 30 }));

  assert.equal(await engine.purgeDueKeys(), 0, 'nothing is due before its date');
  clock.advance(7 * 86_400_000 + 1000);
  assert.ok(await storage.get(`keys/${doomed}`), 'the record is still stored until the sweep');
  assert.equal(await engine.purgeDueKeys(), 1);
  assert.equal(await storage.get(`keys/${doomed}`), undefined);
  assert.deepEqual(await storage.list('aliases/'), []);
  assert.ok(await storage.get(`keys/${kept}`));
  assert.ok(await storage.get(`keys/${later}`));
  const listed = (await engine.backend.handleRequest(request('ListKeys', {})))!.data!.Keys as Array<{ KeyId: string }>;
  assert.deepEqual(listed.map((k) => k.KeyId).sort(), [kept, later].sort());
});

test('a KMS user holds root only when a root token names it, and never the wrapping tokens\' policy', async () => {
  const { engine, request } = setup();
  const userRequest = (name: string, policies: unknown, policiesOfCaller: string[]): BackendRequest => {
    const base = request('CreateKey', {});
    const token = { accessor: 'acc-admin', policies: policiesOfCaller, path: 'auth/token/create' } as TokenEntry;
    const data = { policies };
    return { ...base, logical: { ...base.logical, path: `kms/users/${name}`, data }, path: `users/${name}`, data, token };
  };
  const refused = (code: string) => (err: unknown) => err instanceof SealtrailError && err.code === code;
  // A token with sudo on kms/users/* but not root: its user would act as root on kms/aws/* and trail/aws/*.
  for (const policies of [['root'], ['kms-dev', 'Root'], 'kms-dev, root']) {
    await assert.rejects(engine.backend.handleRequest(userRequest('evil', policies, ['kms-admin'])), refused('root_requires_root_parent'));
  }
  await assert.rejects(engine.backend.handleRequest(userRequest('evil', ['response-wrapping'], ['root'])), refused('policy_not_assignable'));
  await assert.rejects(engine.backend.handleRequest(userRequest('evil', [' Response-Wrapping'], ['kms-admin'])), refused('policy_not_assignable'));
});

/** A KMS engine with real policy and token stores, for the user endpoints' own checks. */
function engineWithStores() {
  const clock = manualClock(Date.UTC(2025, 0, 1));
  const policies = createPolicyStore({ storage: createMemoryStorage() });
  const tokens = createTokenStore({ storage: createMemoryStorage(), clock, hashKey: new Uint8Array(32) });
  const engine = createKmsEngine({ storage: createMemoryStorage(), clock }, {
    accountId: ACCOUNT, region: 'us-east-1', tokens, policies, trustedRoots: () => [],
    recorder: { record: async () => undefined, admit: () => undefined, pending: () => 0, failing: () => false, close: async () => 0 },
  });
  return { policies, tokens, engine };
}

test('a KMS user named in another case is read, rotated or deleted only by a token the ACL allows on its own name', async () => {
  const { policies, tokens, engine } = engineWithStores();
  await policies.put('kms-manager', 'path "kms/users/*" { capabilities = ["create", "read", "update", "delete", "sudo"] }\npath "kms/users/app*" { capabilities = ["deny"] }');
  const manager = (await tokens.create({ policies: ['kms-manager'], path: 'auth/token/create' })).entry;
  const app = (await engine.users.upsert('app', ['default'])).user;
  const call = (operation: Operation, path: string) => {
    const logical: LogicalRequest = { id: 'r', operation, path: `kms/${path}`, data: {}, clientToken: 'x', remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0 };
    return engine.backend.handleRequest({ logical, operation, path, data: {}, mount: {} as MountEntry, token: manager });
  };
  const denied = (err: unknown) => err instanceof SealtrailError && err.code === 'permission_denied';
  await assert.rejects(call('update', 'users/APP/rotate'), denied);
  await assert.rejects(call('read', 'users/App'), denied);
  await assert.rejects(call('delete', 'users/aPP'), denied);
  const kept = await engine.users.get('app');
  assert.equal(kept?.secretAccessKey, app.secretAccessKey);
  // A user the ACL allows is found whatever the case, as before.
  await engine.users.upsert('bob', ['default']);
  assert.equal((await call('read', 'users/BOB'))!.data!.user_name, 'bob');
});

test('a KMS user that holds root has its keys rotated only by a root token', async () => {
  const { policies, tokens, engine } = engineWithStores();
  await policies.put('kms-manager', 'path "kms/users/*" { capabilities = ["create", "read", "update", "delete", "sudo"] }');
  const manager = (await tokens.create({ policies: ['kms-manager'], path: 'auth/token/create' })).entry;
  const root = (await tokens.create({ policies: ['root'], path: 'auth/token/root' })).entry;
  const ops = (await engine.users.upsert('ops', ['root'])).user;
  await engine.users.upsert('app', ['default']);
  const rotate = (name: string, token: TokenEntry) => {
    const path = `users/${name}/rotate`;
    const logical: LogicalRequest = { id: 'r', operation: 'update', path: `kms/${path}`, data: {}, clientToken: 'x', remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0 };
    return engine.backend.handleRequest({ logical, operation: 'update', path, data: {}, mount: {} as MountEntry, token });
  };
  // The new secret key would make the manager that user, which acts as root on kms/aws/* and trail/aws/*.
  await assert.rejects(rotate('ops', manager), (err: unknown) => err instanceof SealtrailError && err.code === 'permission_denied');
  assert.equal((await engine.users.get('ops'))?.secretAccessKey, ops.secretAccessKey);
  assert.notEqual((await rotate('ops', root))!.data!.secret_access_key, ops.secretAccessKey);
  assert.ok((await rotate('app', manager))!.data!.secret_access_key);
});

test('a key is rotated by the sweep once its period has passed, used or not, as AWS rotates on the date; a disabled key waits', async () => {
  const { engine, events, request, clock } = setup();
  const keyIdOf = async () => ((await engine.backend.handleRequest(request('CreateKey', {})))!.data!.KeyMetadata as { KeyId: string }).KeyId;
  const due = await keyIdOf();
  const disabled = await keyIdOf();
  const unrotated = await keyIdOf();
  for (const keyId of [due, disabled]) await engine.backend.handleRequest(request('EnableKeyRotation', { KeyId: keyId, RotationPeriodInDays: 90 }));
  await engine.backend.handleRequest(request('DisableKey', { KeyId: disabled }));

  assert.equal(await engine.rotateDueKeys(), 0, 'nothing is due before its date');
  clock.advance(90 * 86_400_000);
  assert.equal(await engine.rotateDueKeys(), 1);
  assert.equal(await engine.rotateDueKeys(), 0, 'rotated once: the next date is a period later');
  const rotations = (keyId: string) => engine.backend.handleRequest(request('ListKeyRotations', { KeyId: keyId })).then((r) => (r!.data!.Rotations as unknown[]).length);
  assert.deepEqual([await rotations(due), await rotations(disabled), await rotations(unrotated)], [1, 0, 0]);
  assert.deepEqual(events.filter((e) => e.eventName === 'RotateKey').map((e) => e.resources[0].arn), [`arn:aws:kms:us-east-1:${ACCOUNT}:key/${due}`]);
});

test('a KMS user written with a parameter the endpoint does not read gets Vault\'s warning naming it', async () => {
  const { policies, tokens, engine } = engineWithStores();
  await policies.put('kms-app', 'path "kms/aws/*" { capabilities = ["update"] }');
  const root = (await tokens.create({ policies: ['root'], path: 'auth/token/root' })).entry;
  const write = (name: string, data: Record<string, unknown>) => {
    const path = `users/${name}`;
    const logical: LogicalRequest = { id: 'r', operation: 'create', path: `kms/${path}`, data, clientToken: 'x', remoteAddress: '127.0.0.1', remotePort: 1, headers: {}, wrapTtl: 0 };
    return engine.backend.handleRequest({ logical, operation: 'create', path, data, mount: {} as MountEntry, token: root });
  };
  const typo = await write('app', { policy: 'kms-app' });
  assert.deepEqual(typo!.data!.policies, []);
  assert.deepEqual(typo!.warnings, ['Endpoint ignored these unrecognized parameters: [policy]']);
  assert.equal((await write('app2', { policies: 'kms-app' }))!.warnings, undefined);
});
