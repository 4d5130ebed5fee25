/**
 * Acceptance: the official @aws-sdk/client-kms, configured only with the endpoint, region and a
 * Sealtrail access key, against the real edge + lifecycle + KMS engine on port 0.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateAliasCommand, CreateKeyCommand, DecryptCommand, DescribeKeyCommand, DisableKeyCommand, EncryptCommand,
  GenerateDataKeyCommand, GenerateDataKeyWithoutPlaintextCommand, GenerateRandomCommand, KMSClient, ListKeysCommand, PutKeyPolicyCommand,
  ReEncryptCommand, RotateKeyOnDemandCommand,
} from '@aws-sdk/client-kms';
import { createDevEnclave } from '../../../src/attestation/index.js';
import { costlyRsaKey } from '../../attestation/costly-keys.js';
import { ACCOUNT, REGION, startKmsServer, type KmsTestServer, rejectsWith } from './harness.js';

let server: KmsTestServer;
let kms: KMSClient;
let tmp: string;

const client = (secretAccessKey: string, accessKeyId = server.accessKeyId) =>
  new KMSClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });

before(async () => {
  server = await startKmsServer();
  kms = client(server.secretAccessKey);
  tmp = mkdtempSync(join(tmpdir(), 'sealtrail-kms-e2e-'));
});
after(async () => {
  kms?.destroy();
  await server?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const lastEvent = (name: string) => [...server.events].reverse().find((e) => e.eventName === name)!;

test('CreateKey, CreateAlias, Encrypt/Decrypt with context, GenerateDataKey, GenerateRandom, DisableKey', async () => {
  const created = await kms.send(new CreateKeyCommand({ Description: 'e2e key' }));
  const meta = created.KeyMetadata!;
  assert.match(meta.KeyId!, /^[0-9a-f-]{36}$/);
  assert.equal(meta.Arn, `arn:aws:kms:${REGION}:${ACCOUNT}:key/${meta.KeyId}`);
  assert.equal(meta.KeyState, 'Enabled');
  assert.equal(meta.KeySpec, 'SYMMETRIC_DEFAULT');
  assert.ok(meta.CreationDate instanceof Date);
  const createEvent = lastEvent('CreateKey');
  assert.equal(createEvent.readOnly, false);
  assert.deepEqual(createEvent.resources, [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', arn: meta.Arn }]);
  assert.equal((createEvent.responseElements as any).keyMetadata.keyId, meta.KeyId);
  assert.deepEqual(createEvent.userIdentity, {
    type: 'IAMUser', accountId: ACCOUNT, userName: 'dev', arn: `arn:aws:iam::${ACCOUNT}:user/dev`,
    accessKeyId: server.accessKeyId, principalId: createEvent.userIdentity.principalId,
  });
  assert.match(createEvent.userIdentity.principalId, /^AIDA[A-Z2-7]{17}$/);

  await kms.send(new CreateAliasCommand({ AliasName: 'alias/e2e', TargetKeyId: meta.KeyId }));
  const described = await kms.send(new DescribeKeyCommand({ KeyId: 'alias/e2e' }));
  assert.equal(described.KeyMetadata!.KeyId, meta.KeyId);

  const plaintext = Buffer.from('the launch codes');
  const context = { tenant: 'acme', purpose: 'e2e' };
  const enc = await kms.send(new EncryptCommand({ KeyId: 'alias/e2e', Plaintext: plaintext, EncryptionContext: context }));
  assert.equal(enc.KeyId, meta.Arn);
  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { purpose: 'e2e', tenant: 'acme' } }));
  assert.equal(Buffer.from(dec.Plaintext!).toString(), 'the launch codes');
  assert.equal(dec.KeyId, meta.Arn);
  await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { tenant: 'other' } })), 'InvalidCiphertextException');
  const decEvent = lastEvent('Decrypt');
  assert.equal(decEvent.errorCode, 'InvalidCiphertextException');
  assert.deepEqual(decEvent.requestParameters, { encryptionAlgorithm: 'SYMMETRIC_DEFAULT', encryptionContext: { tenant: 'other' } });

  const gdk = await kms.send(new GenerateDataKeyCommand({ KeyId: meta.KeyId, KeySpec: 'AES_256' }));
  assert.equal(gdk.Plaintext!.length, 32);
  const back = await kms.send(new DecryptCommand({ CiphertextBlob: gdk.CiphertextBlob }));
  assert.deepEqual(Buffer.from(back.Plaintext!), Buffer.from(gdk.Plaintext!));
  const gdkEvent = lastEvent('GenerateDataKey');
  assert.deepEqual(gdkEvent.requestParameters, { keyId: meta.KeyId, keySpec: 'AES_256' });
  assert.equal(gdkEvent.responseElements, null);
  assert.equal(gdkEvent.readOnly, true);

  const random = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 48 }));
  assert.equal(random.Plaintext!.length, 48);
  assert.deepEqual(lastEvent('GenerateRandom').resources, []);
  await rejectsWith(kms.send(new GenerateRandomCommand({ NumberOfBytes: 1025 })), 'ValidationException',
    /^1 validation error detected: Value '1025' at 'numberOfBytes' failed to satisfy constraint: Member must have value less than or equal to 1024$/);

  await kms.send(new DisableKeyCommand({ KeyId: meta.KeyId }));
  await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: context })), 'DisabledException', /is disabled\.$/);

  const listed = await kms.send(new ListKeysCommand({}));
  assert.ok(listed.Keys!.some((k) => k.KeyId === meta.KeyId));

  // Nothing secret reached the events or the audit log.
  const secrets = [plaintext.toString('base64'), Buffer.from(gdk.Plaintext!).toString('base64'), Buffer.from(enc.CiphertextBlob!).toString('base64'), Buffer.from(random.Plaintext!).toString('base64')];
  const eventsText = JSON.stringify(server.events);
  const auditText = readFileSync(server.auditFile, 'utf8');
  for (const s of secrets) {
    assert.ok(!eventsText.includes(s), 'a secret value appears in a trail event');
    assert.ok(!auditText.includes(s), 'a secret value appears in the audit log');
  }
  assert.ok(auditText.includes('kms/aws/Encrypt'), 'the AWS calls pass the audited lifecycle');
});

test('responses name the key material they used (KeyMaterialId, as AWS), the same id the CloudTrail event records', async () => {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const KeyId = KeyMetadata!.KeyId!;
  const first = KeyMetadata!.CurrentKeyMaterialId!;
  assert.match(first, /^[0-9a-f]{64}$/);
  const material = (name: string) => (lastEvent(name).additionalEventData as { keyMaterialId?: string }).keyMaterialId;
  const { CiphertextBlob } = await kms.send(new EncryptCommand({ KeyId, Plaintext: Buffer.from('x') }));
  const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob }));
  assert.deepEqual([decrypted.KeyMaterialId, material('Decrypt')], [first, first]);
  const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId, KeySpec: 'AES_256' }));
  assert.deepEqual([dataKey.KeyMaterialId, material('GenerateDataKey')], [first, first]);
  await kms.send(new RotateKeyOnDemandCommand({ KeyId }));
  const rotated = (await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata!.CurrentKeyMaterialId!;
  assert.notEqual(rotated, first);
  assert.equal((await kms.send(new GenerateDataKeyWithoutPlaintextCommand({ KeyId, KeySpec: 'AES_256' }))).KeyMaterialId, rotated);
  const reEncrypted = await kms.send(new ReEncryptCommand({ CiphertextBlob, DestinationKeyId: KeyId }));
  assert.deepEqual([reEncrypted.SourceKeyMaterialId, reEncrypted.DestinationKeyMaterialId], [first, rotated]);
});

test('a wrong secret key gets the signature error; an unknown key id is unrecognized; neither is an event', async () => {
  const events = server.events.length;
  const bad = client('x'.repeat(40));
  await rejectsWith(bad.send(new ListKeysCommand({})), 'InvalidSignatureException', /^The request signature we calculated does not match/);
  bad.destroy();
  const unknown = client('x'.repeat(40), 'AKIAAAAAAAAAAAAAAAAA');
  await rejectsWith(unknown.send(new ListKeysCommand({})), 'UnrecognizedClientException', /^The security token included in the request is invalid\.$/);
  unknown.destroy();
  assert.equal(server.events.length, events);
});

test('Recipient: openssl decrypts CiphertextForRecipient; an ImageSha384 key policy admits the right PCR0 only', async () => {
  const goodPcr0 = 'a1'.repeat(48);
  const enclave = createDevEnclave({ ca: server.devCa, clock: { now: () => Date.now(), nowNs: () => BigInt(Date.now()) * 1_000_000n }, pcrs: { 0: goodPcr0 } });
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = join(tmp, 'enclave.pem');
  writeFileSync(keyPem, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  const spki = publicKey.export({ type: 'spki', format: 'der' });
  const recipient = (pcr0?: string) => ({
    AttestationDocument: enclave.attest({ publicKey: spki, ...(pcr0 ? { pcrs: { 0: pcr0 } } : {}) }),
    KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const,
  });
  const openssl = (der: Uint8Array) => {
    const f = join(tmp, 'cms.der');
    writeFileSync(f, der);
    return execFileSync('openssl', ['cms', '-decrypt', '-inform', 'DER', '-in', f, '-inkey', keyPem]);
  };

  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const keyId = KeyMetadata!.KeyId!;
  const userArn = `arn:aws:iam::${ACCOUNT}:user/dev`;
  await kms.send(new PutKeyPolicyCommand({
    KeyId: keyId, PolicyName: 'default',
    Policy: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'admin', Effect: 'Allow', Principal: { AWS: userArn }, Action: ['kms:PutKeyPolicy', 'kms:GenerateDataKey', 'kms:Encrypt', 'kms:DescribeKey'], Resource: '*' },
        {
          Sid: 'enclave', Effect: 'Allow', Principal: { AWS: userArn }, Action: 'kms:Decrypt', Resource: '*',
          Condition: { StringEqualsIgnoreCase: { 'kms:RecipientAttestation:ImageSha384': goodPcr0 } },
        },
      ],
    }),
  }));

  const gdk = await kms.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: 32, Recipient: recipient() }));
  assert.equal(gdk.Plaintext, undefined);
  const dataKey = openssl(gdk.CiphertextForRecipient!);
  assert.equal(dataKey.length, 32);
  const gdkEvent = lastEvent('GenerateDataKey');
  assert.deepEqual((gdkEvent.additionalEventData as any).recipient, {
    attestationDocumentModuleId: enclave.moduleId,
    attestationDocumentEnclaveImageDigest: goodPcr0,
    attestationDocumentEnclavePCR1: '00'.repeat(48),
    attestationDocumentEnclavePCR2: '00'.repeat(48),
    attestationDocumentEnclavePCR3: '00'.repeat(48),
    attestationDocumentEnclavePCR4: '00'.repeat(48),
    attestationDocumentEnclavePCR8: '00'.repeat(48),
  });
  // The Recipient shows only as additionalEventData.recipient, as in AWS's records.
  assert.deepEqual(gdkEvent.requestParameters, { keyId, numberOfBytes: 32 });

  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: gdk.CiphertextBlob, Recipient: recipient() }));
  assert.equal(dec.Plaintext, undefined);
  assert.deepEqual(openssl(dec.CiphertextForRecipient!), dataKey);

  await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: gdk.CiphertextBlob, Recipient: recipient('b2'.repeat(48)) })), 'AccessDeniedException',
    new RegExp(`^User: ${userArn} is not authorized to perform: kms:Decrypt on resource: arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId} because no resource-based policy allows the kms:Decrypt action$`));
  // Without a recipient the condition key is absent: StringEqualsIgnoreCase does not hold.
  await rejectsWith(kms.send(new DecryptCommand({ CiphertextBlob: gdk.CiphertextBlob })), 'AccessDeniedException');

  const random = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 16, Recipient: recipient() }));
  assert.equal(random.Plaintext, undefined);
  assert.equal(openssl(random.CiphertextForRecipient!).length, 16);
  assert.ok(!JSON.stringify(server.events).includes(dataKey.toString('base64')));
});

test('Recipient: a public key with a costly exponent is refused before anything is encrypted for it', async () => {
  const enclave = createDevEnclave({ ca: server.devCa, clock: { now: () => Date.now(), nowNs: () => BigInt(Date.now()) * 1_000_000n } });
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  const recipientFor = (publicKey: KeyObject) => ({
    AttestationDocument: enclave.attest({ publicKey: publicKey.export({ type: 'spki', format: 'der' }) }),
    KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const,
  });
  const events = server.events.length;
  // A 3072-bit exponent makes each OAEP encryption a full modular exponentiation (~100× 65537's).
  await rejectsWith(kms.send(new GenerateDataKeyCommand({ KeyId: KeyMetadata!.KeyId, NumberOfBytes: 32, Recipient: recipientFor(costlyRsaKey(3072, 3000).publicKey) })),
    'ValidationException', /^The public key in the attestation document must have an odd public exponent between 3 and 2\^31 - 1$/);
  const refused = lastEvent('GenerateDataKey');
  assert.equal(server.events.length, events + 1);
  assert.equal(refused.errorCode, 'ValidationException');
  // An exponent just past the bound is refused too; 65537 is served.
  await rejectsWith(kms.send(new GenerateRandomCommand({ NumberOfBytes: 16, Recipient: recipientFor(costlyRsaKey(2048, 33).publicKey) })), 'ValidationException');
  const served = await kms.send(new GenerateRandomCommand({ NumberOfBytes: 16, Recipient: recipientFor(generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey) }));
  assert.ok(served.CiphertextForRecipient!.length > 0);
});

test('Vault API users: create returns a key pair, rotate revokes the old one, delete ends access', async () => {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.endpoint}/v1/${path}`, {
      method, headers: { 'x-vault-token': server.rootToken, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, json: res.status === 204 ? undefined : await res.json() as any };
  };
  const created = await api('POST', 'kms/users/alice', { policies: ['kms-dev'] });
  assert.equal(created.status, 200);
  const d = created.json.data;
  assert.match(d.access_key_id, /^AKIA[A-Z2-7]{16}$/);
  assert.match(d.secret_access_key, /^[A-Za-z0-9+/]{40}$/);
  assert.equal(d.arn, `arn:aws:iam::${ACCOUNT}:user/alice`);
  assert.equal(d.user_name, 'alice');
  assert.deepEqual((await api('LIST', 'kms/users')).json.data.keys, ['alice', 'dev']);
  assert.equal((await api('GET', 'kms/users/alice')).json.data.secret_access_key, undefined);

  const alice = client(d.secret_access_key, d.access_key_id);
  await alice.send(new ListKeysCommand({}));
  assert.equal(lastEvent('ListKeys').userIdentity.userName, 'alice');
  const rotated = (await api('POST', 'kms/users/alice/rotate')).json.data;
  assert.notEqual(rotated.access_key_id, d.access_key_id);
  await rejectsWith(alice.send(new ListKeysCommand({})), 'UnrecognizedClientException');
  const alice2 = client(rotated.secret_access_key, rotated.access_key_id);
  await alice2.send(new ListKeysCommand({}));
  assert.equal((await api('DELETE', 'kms/users/alice')).status, 204);
  await rejectsWith(alice2.send(new ListKeysCommand({})), 'UnrecognizedClientException');
  alice.destroy();
  alice2.destroy();

  // A user without a policy reaching kms/aws/* is refused by the Vault ACL: AccessDeniedException.
  const bare = (await api('POST', 'kms/users/bare', {})).json.data;
  const bareClient = client(bare.secret_access_key, bare.access_key_id);
  await rejectsWith(bareClient.send(new ListKeysCommand({})), 'AccessDeniedException', /^User: arn:aws:iam::111122223333:user\/bare is not authorized to perform: kms:ListKeys/);
  bareClient.destroy();
});

test('a lone surrogate in a request is read as U+FFFD, for the key as for the audit and the event', async () => {
  const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
  // The SDK writes '\ud800' as the JSON escape "\ud800", which UTF-8 cannot carry.
  const enc = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('x'), EncryptionContext: { k: '\ud800' } }));
  assert.deepEqual(lastEvent('Encrypt').requestParameters!.encryptionContext, { k: '\ufffd' }, 'the event shows what the key was bound to');
  const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: { k: '\ufffd' } }));
  assert.equal(Buffer.from(dec.Plaintext!).toString(), 'x', 'one string for the key, the audit entry and the event');
});
