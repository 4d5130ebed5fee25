/**
 * ScheduleKeyDeletion's date is when the key's material is destroyed: the server deletes keys past
 * their date at unseal and every hour, not only when a later call happens to name the key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CreateKeyCommand, KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { REGION, startKmsServer } from './harness.js';

test('a key past its deletion date is gone from storage after the next unseal, though no call named it', async () => {
  let offsetMs = 0;
  const clock = { now: () => Date.now() + offsetMs, nowNs: () => BigInt(Date.now() + offsetMs) * 1_000_000n };
  const server = await startKmsServer({ clock });
  const kms = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, maxAttempts: 1 });
  try {
    const doomed = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    const kept = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
    await kms.send(new ScheduleKeyDeletionCommand({ KeyId: doomed, PendingWindowInDays: 7 }));
    const barrier = server.core.seal.barrier;
    assert.ok(await barrier.get(`sys/kms/keys/${doomed}`));

    offsetMs = 8 * 86_400_000;
    const headers = { 'x-vault-token': server.rootToken, 'content-type': 'application/json' };
    assert.equal((await fetch(`${server.endpoint}/v1/sys/seal`, { method: 'PUT', headers })).status, 204);
    const unsealed = await fetch(`${server.endpoint}/v1/sys/unseal`, { method: 'PUT', headers, body: JSON.stringify({ key: server.unsealKey }) });
    assert.equal(((await unsealed.json()) as { sealed: boolean }).sealed, false);

    for (let i = 0; i < 100 && (await barrier.get(`sys/kms/keys/${doomed}`)); i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(await barrier.get(`sys/kms/keys/${doomed}`), undefined, 'the key past its date is still stored');
    assert.ok(await barrier.get(`sys/kms/keys/${kept}`));
  } finally {
    kms.destroy();
    await server.stop();
  }
});
