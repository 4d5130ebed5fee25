import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TokenStore } from '../../src/auth/index.js';
import type { BackendRequest, LogicalRequest, MountEntry, TokenEntry } from '../../src/core/index.js';
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
    accountId: ACCOUNT, region: 'us-east-1', tokens: {} as TokenStore, trustedRoots: () => [],
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
