/**
 * KMS identity comes only from the access key → user binding the server keeps: a Vault token whose
 * metadata claims a KMS user (`meta kms_user=alice`) is not that user on either door.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { ACCOUNT, REGION, startKmsServer, type KmsTestServer } from './harness.js';

let server: KmsTestServer;
before(async () => { server = await startKmsServer(); });
after(async () => { await server?.stop(); });

async function vault(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${server.endpoint}/v1/${path}`, {
    method, headers: { 'x-vault-token': token, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: res.status === 204 ? undefined : (await res.json()) as any };
}

test('a child token with meta kms_user=alice is denied on an alice-only key and cannot rewrite its policy', async () => {
  const made = (await vault('POST', 'kms/users/alice', server.rootToken, { policies: ['kms-dev'] })).json.data;
  const alice = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: made.access_key_id, secretAccessKey: made.secret_access_key }, maxAttempts: 1 });
  const aliceArn = `arn:aws:iam::${ACCOUNT}:user/alice`;
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'alice only', Effect: 'Allow', Principal: { AWS: aliceArn }, Action: 'kms:*', Resource: '*' }] });
  const keyId = (await alice.send(new CreateKeyCommand({ Policy: policy }))).KeyMetadata!.KeyId!;
  const blob = Buffer.from((await alice.send(new EncryptCommand({ KeyId: keyId, Plaintext: Buffer.from('alice secret') }))).CiphertextBlob!).toString('base64');

  const child = await vault('POST', 'auth/token/create', server.rootToken, { policies: ['kms-dev'], meta: { kms_user: 'alice' }, display_name: 'alice' });
  assert.equal(child.status, 200);
  const token = child.json.auth.client_token as string;
  assert.deepEqual(child.json.auth.metadata, { kms_user: 'alice' });

  const dec = await vault('POST', 'kms/aws/Decrypt', token, { CiphertextBlob: blob });
  assert.equal(dec.status, 403);
  assert.match(dec.json.errors[0], new RegExp(`^User: arn:aws:iam::${ACCOUNT}:user/sealtrail-token/[^ ]+ is not authorized to perform: kms:Decrypt`));
  const open = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }] };
  const put = await vault('POST', 'kms/aws/PutKeyPolicy', token, { KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(open), BypassPolicyLockoutSafetyCheck: true });
  assert.equal(put.status, 403);
  assert.equal((await alice.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy, policy);
  // The refusal names the token's principal to the caller; its audit entry, which HMACs the
  // accessor, does not repeat it.
  assert.ok(dec.json.errors[0].includes(child.json.auth.accessor));
  assert.ok(!readFileSync(server.auditFile, 'utf8').includes(child.json.auth.accessor));

  // The binding still holds for alice herself, through her access key.
  const mine = await alice.send(new DecryptCommand({ CiphertextBlob: Buffer.from(blob, 'base64') }));
  assert.equal(Buffer.from(mine.Plaintext!).toString(), 'alice secret');
  alice.destroy();
});
