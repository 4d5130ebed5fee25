/**
 * KMS identity comes only from the access key → user binding the server keeps: a Vault token whose
 * metadata claims a KMS user (`meta kms_user=alice`) is not that user on either door.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CreateKeyCommand, DecryptCommand, EncryptCommand, GetKeyPolicyCommand, KMSClient } from '@aws-sdk/client-kms';
import { tokenPrincipalId } from '../../../src/kms/backend.js';
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

  const accessor = child.json.auth.accessor as string;
  const dec = await vault('POST', 'kms/aws/Decrypt', token, { CiphertextBlob: blob });
  assert.equal(dec.status, 403);
  assert.match(tokenPrincipalId(accessor), /^tok-[0-9a-f]{24}$/);
  assert.ok(dec.json.errors[0].startsWith(`User: arn:aws:iam::${ACCOUNT}:user/sealtrail-token/${tokenPrincipalId(accessor)} is not authorized to perform: kms:Decrypt `), dec.json.errors[0]);
  const open = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' }] };
  const put = await vault('POST', 'kms/aws/PutKeyPolicy', token, { KeyId: keyId, PolicyName: 'default', Policy: JSON.stringify(open), BypassPolicyLockoutSafetyCheck: true });
  assert.equal(put.status, 403);
  assert.equal((await alice.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }))).Policy, policy);
  // The token's principal is a digest of its accessor, never the accessor: not in the refusal, the
  // audit entries (which HMAC it), or the CloudTrail events anyone who may read the trail sees.
  assert.ok(!dec.json.errors[0].includes(accessor));
  assert.ok(!readFileSync(server.auditFile, 'utf8').includes(accessor));
  const events = server.events.filter((e) => JSON.stringify(e).includes(tokenPrincipalId(accessor)));
  assert.ok(events.length >= 2, 'the token\'s calls are CloudTrail events under its principal');
  assert.ok(!JSON.stringify(server.events).includes(accessor));

  // The binding still holds for alice herself, through her access key.
  const mine = await alice.send(new DecryptCommand({ CiphertextBlob: Buffer.from(blob, 'base64') }));
  assert.equal(Buffer.from(mine.Plaintext!).toString(), 'alice secret');
  alice.destroy();
});

test('KMS user names are unique whatever their case, as IAM user names are', async () => {
  assert.equal((await vault('POST', 'kms/users/Carol', server.rootToken, { policies: ['kms-dev'] })).status, 200);
  for (const name of ['carol', 'CAROL']) {
    const r = await vault('POST', `kms/users/${name}`, server.rootToken, { policies: ['kms-dev'] });
    assert.deepEqual([r.status, r.json], [400, { errors: ['a KMS user named "Carol" exists: user names are unique whatever their case'] }], name);
  }
  // The user itself is updated as before, under its own spelling.
  assert.equal((await vault('POST', 'kms/users/Carol', server.rootToken, { policies: ['default'] })).status, 200);
  assert.deepEqual((await vault('GET', 'kms/users/Carol', server.rootToken)).json.data.policies, ['default']);
});
