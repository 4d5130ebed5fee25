/**
 * CloudTrail records of KMS calls, field for field as AWS documents them: the official AWS SDK v3
 * KMS client calls the real dev server over TLS (a self-signed certificate made here with
 * openssl), and each record is read back through the CloudTrail client's LookupEvents. The
 * expected requestParameters/responseElements/additionalEventData are AWS's published examples
 * (test/fixtures/cloudtrail-kms/) with only ids, ARNs and times replaced by this call's own.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CancelKeyDeletionCommand, CreateAliasCommand, CreateKeyCommand, DecryptCommand, DeleteAliasCommand, DescribeKeyCommand, DisableKeyCommand,
  DisableKeyRotationCommand, EnableKeyCommand,
  EnableKeyRotationCommand, EncryptCommand, GenerateDataKeyCommand, GenerateRandomCommand, GetKeyPolicyCommand, KMSClient, ListAliasesCommand,
  PutKeyPolicyCommand, ReEncryptCommand, RotateKeyOnDemandCommand, ScheduleKeyDeletionCommand, TagResourceCommand, UntagResourceCommand,
  UpdateAliasCommand, UpdateKeyDescriptionCommand,
} from '@aws-sdk/client-kms';
import { CloudTrailClient, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { createDevEnclave } from '../../src/attestation/index.js';
import { cloudTrailDate } from '../../src/kms/operations/response-elements.js';
import { ACCOUNT, REGION, startKmsServer, type KmsTestServer } from '../server/aws/harness.js';

type Json = Record<string, any>;
const documented: Record<string, Json> = JSON.parse(readFileSync(new URL('../fixtures/cloudtrail-kms/documented-events.json', import.meta.url), 'utf8'));

/** The ids of AWS's examples. */
const DOC_KEY = '1234abcd-12ab-34cd-56ef-1234567890ab';
const DOC_OTHER_KEY = '0987dcba-09fe-87dc-65ba-ab0987654321';
const DOC_ARN_PREFIX = 'arn:aws:kms:us-west-2:111122223333:';

let dir: string;
let certPem: string;
let server: KmsTestServer;
let plain: KmsTestServer;
let kms: KMSClient;
let trail: CloudTrailClient;
let port: string;

function selfSignedCertificate(into: string): { cert: string; key: string } {
  const cert = join(into, 'cert.pem');
  const key = join(into, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  return { cert, key };
}

/** A KMS client over TLS whose agent trusts the test certificate and pins the protocol and suite. */
const tlsKms = (tls: { minVersion: 'TLSv1.2' | 'TLSv1.3'; maxVersion: 'TLSv1.2' | 'TLSv1.3'; ciphers: string }) => new KMSClient({
  endpoint: server.endpoint, region: REGION, maxAttempts: 1,
  credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  requestHandler: { httpsAgent: new Agent({ ca: certPem, ...tls }) },
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-ctdoc-'));
  const files = selfSignedCertificate(dir);
  certPem = readFileSync(files.cert, 'utf8');
  const configPath = join(dir, 'tls.hcl');
  writeFileSync(configPath, `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_cert_file = "${files.cert}"\n  tls_key_file = "${files.key}"\n}\n`);
  server = await startKmsServer({ configPath });
  port = new URL(server.endpoint).port;
  kms = tlsKms({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'TLS_AES_256_GCM_SHA384' });
  trail = new CloudTrailClient({
    endpoint: server.endpoint, region: REGION, maxAttempts: 1,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestHandler: { httpsAgent: new Agent({ ca: certPem }) },
  });
});
after(async () => {
  kms?.destroy();
  trail?.destroy();
  await server?.stop();
  await plain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The newest CloudTrail record of `name`, as LookupEvents delivers it. */
async function lastRecord(name: string): Promise<Json> {
  const found = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }], MaxResults: 1 }));
  assert.equal(found.Events?.length, 1, `no ${name} event`);
  return JSON.parse(found.Events![0].CloudTrailEvent!) as Json;
}

/** AWS's example with its ids and ARNs replaced: `keys` maps each documented key id to ours. */
function expected(name: string, keys: Record<string, string>, also: Record<string, string> = {}): Json {
  let text = JSON.stringify(documented[name]);
  text = text.split(DOC_ARN_PREFIX).join(`arn:aws:kms:${REGION}:${ACCOUNT}:`);
  for (const [from, to] of Object.entries({ ...keys, ...also })) text = text.split(from).join(to);
  return JSON.parse(text) as Json;
}

/** A record's key material id: 64 hex digits, as in AWS's records. */
function materialId(record: Json, member = 'keyMaterialId'): string {
  const id = record.additionalEventData?.[member];
  assert.match(id, /^[0-9a-f]{64}$/, `${record.eventName} additionalEventData.${member}`);
  return id as string;
}

/** additionalEventData as documented, with the record's own material ids for AWS's. */
function documentedEventData(name: string, record: Json): Json {
  const doc = expected(name, {}).additionalEventData as Record<string, string>;
  return Object.fromEntries(Object.keys(doc).map((member) => [member, materialId(record, member)]));
}

async function newKey(): Promise<{ id: string; arn: string }> {
  const meta = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  return { id: meta.KeyId!, arn: meta.Arn! };
}

test('Encrypt and Decrypt record encryptionAlgorithm SYMMETRIC_DEFAULT though the caller named none', async () => {
  const key = await newKey();
  const enc = await kms.send(new EncryptCommand({ KeyId: key.arn, Plaintext: Buffer.from('payroll'), EncryptionContext: { Department: 'Engineering' } }));
  const encrypt = await lastRecord('Encrypt');
  assert.deepEqual(encrypt.requestParameters, expected('Encrypt', { [DOC_KEY]: key.id }).requestParameters);
  assert.equal(encrypt.responseElements, null);
  assert.deepEqual(encrypt.additionalEventData, documentedEventData('Encrypt', encrypt));

  const context = { Department: 'Engineering', Project: 'Alpha' };
  const again = await kms.send(new EncryptCommand({ KeyId: key.id, Plaintext: Buffer.from('payroll'), EncryptionContext: context }));
  await kms.send(new DecryptCommand({ KeyId: key.arn, CiphertextBlob: again.CiphertextBlob, EncryptionContext: context }));
  const decrypt = await lastRecord('Decrypt');
  assert.deepEqual(decrypt.requestParameters, expected('Decrypt', { [DOC_KEY]: key.id }).requestParameters);
  assert.equal(decrypt.responseElements, null);
  assert.deepEqual(decrypt.additionalEventData, documentedEventData('Decrypt', decrypt));
  // Also on a failed call: the wrong context is refused, and the record still names the algorithm.
  await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), { name: 'InvalidCiphertextException' });
  assert.deepEqual((await lastRecord('Decrypt')).requestParameters, { encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
});

test('ReEncrypt records the source and destination algorithms, and no ciphertext', async () => {
  const source = await newKey();
  const destination = await newKey();
  const sourceContext = { Project: 'Alpha', Department: 'Engineering' };
  const enc = await kms.send(new EncryptCommand({ KeyId: source.id, Plaintext: Buffer.from('ledger'), EncryptionContext: sourceContext }));
  await kms.send(new ReEncryptCommand({
    CiphertextBlob: enc.CiphertextBlob, SourceEncryptionContext: sourceContext,
    DestinationKeyId: destination.id, DestinationEncryptionContext: { Level: '3A' },
  }));
  const record = await lastRecord('ReEncrypt');
  assert.deepEqual(record.requestParameters, expected('ReEncrypt', { [DOC_KEY]: source.id, [DOC_OTHER_KEY]: destination.id }).requestParameters);
  assert.equal(record.responseElements, null);
  assert.deepEqual(record.additionalEventData, documentedEventData('ReEncrypt', record));
  assert.equal(record.additionalEventData.sourceKeyMaterialId, materialId(await lastRecord('Encrypt')), 'the source material is the one that sealed it');
  assert.deepEqual(record.resources.map((r: Json) => r.ARN), [source.arn, destination.arn]);
});

test('GenerateDataKey records its key, spec and context as documented', async () => {
  const key = await newKey();
  await kms.send(new GenerateDataKeyCommand({ KeyId: key.id, KeySpec: 'AES_256', EncryptionContext: { Department: 'Engineering', Project: 'Alpha' } }));
  const record = await lastRecord('GenerateDataKey');
  assert.deepEqual(record.requestParameters, expected('GenerateDataKey', { [DOC_KEY]: key.id }).requestParameters);
  assert.equal(record.responseElements, null);
  assert.deepEqual(record.additionalEventData, documentedEventData('GenerateDataKey', record));
});

test('keyMaterialId names the material a call used: the same for a ciphertext and its Decrypt, new after rotation', async () => {
  const key = await newKey();
  const before = await kms.send(new EncryptCommand({ KeyId: key.id, Plaintext: Buffer.from('v1') }));
  const first = materialId(await lastRecord('Encrypt'));
  await kms.send(new RotateKeyOnDemandCommand({ KeyId: key.id }));
  await kms.send(new EncryptCommand({ KeyId: key.id, Plaintext: Buffer.from('v2') }));
  const second = materialId(await lastRecord('Encrypt'));
  assert.notEqual(second, first);
  await kms.send(new DecryptCommand({ CiphertextBlob: before.CiphertextBlob }));
  assert.equal(materialId(await lastRecord('Decrypt')), first, 'old ciphertext: the old material');
  const other = await newKey();
  await kms.send(new EncryptCommand({ KeyId: other.id, Plaintext: Buffer.from('v1') }));
  assert.ok(![first, second].includes(materialId(await lastRecord('Encrypt'))), 'another key: another id');
});

test('an attested call: GenerateRandom records null parameters; the recipient facts go only to additionalEventData', async () => {
  const pcr0 = 'ee'.repeat(48);
  const clock = { now: () => Date.now(), nowNs: () => BigInt(Date.now()) * 1_000_000n };
  const enclave = createDevEnclave({ ca: server.devCa, clock, pcrs: { 0: pcr0 } });
  const spki = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ type: 'spki', format: 'der' });
  const recipient = () => ({ AttestationDocument: enclave.attest({ publicKey: spki }), KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const });
  const ids = { 'i-123456789abcde123-enc123456789abcde12': enclave.moduleId, [expected('GenerateRandomForEnclave', {}).additionalEventData.recipient.attestationDocumentEnclaveImageDigest]: pcr0 };
  // The Nitro Enclaves page's examples show the module id and image digest; KMS's adds PCR1-4 and PCR8.
  const zero = '00'.repeat(48);
  const pcrs = { attestationDocumentEnclavePCR1: zero, attestationDocumentEnclavePCR2: zero, attestationDocumentEnclavePCR3: zero, attestationDocumentEnclavePCR4: zero, attestationDocumentEnclavePCR8: zero };

  await kms.send(new GenerateRandomCommand({ NumberOfBytes: 32 }));
  const plainRandom = await lastRecord('GenerateRandom');
  const doc = expected('GenerateRandom', {});
  assert.equal(plainRandom.requestParameters, doc.requestParameters);
  assert.deepEqual(plainRandom.resources, doc.resources);
  assert.equal('additionalEventData' in plainRandom, false);

  await kms.send(new GenerateRandomCommand({ NumberOfBytes: 32, Recipient: recipient() }));
  const attested = await lastRecord('GenerateRandom');
  const docAttested = expected('GenerateRandomForEnclave', {}, ids);
  assert.equal(attested.requestParameters, null);
  assert.equal(attested.responseElements, null);
  assert.deepEqual(attested.resources, docAttested.resources);
  assert.deepEqual(attested.additionalEventData, { recipient: { ...docAttested.additionalEventData.recipient, ...pcrs } });

  const key = await newKey();
  const gdk = await kms.send(new GenerateDataKeyCommand({ KeyId: key.id, NumberOfBytes: 32, Recipient: recipient() }));
  const gdkRecord = await lastRecord('GenerateDataKey');
  assert.deepEqual(gdkRecord.requestParameters, expected('GenerateDataKeyForEnclave', { [DOC_KEY]: key.id }).requestParameters);
  // The Nitro pages' examples predate key material ids; an attested call has both.
  assert.deepEqual(gdkRecord.additionalEventData, { keyMaterialId: materialId(gdkRecord), recipient: { ...docAttested.additionalEventData.recipient, ...pcrs } });

  await kms.send(new DecryptCommand({ KeyId: key.arn, CiphertextBlob: gdk.CiphertextBlob, Recipient: recipient() }));
  const decRecord = await lastRecord('Decrypt');
  const docDecrypt = expected('DecryptForEnclave', { [DOC_KEY]: key.id }, ids);
  assert.deepEqual(decRecord.requestParameters, docDecrypt.requestParameters);
  assert.deepEqual(decRecord.additionalEventData, { keyMaterialId: materialId(gdkRecord), recipient: { ...docDecrypt.additionalEventData.recipient, ...pcrs } });
});

test('CreateKey records the defaults AWS applied and the key metadata with AWSAccountId', async () => {
  const meta = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!;
  const record = await lastRecord('CreateKey');
  // AWS's example is a key for imported material; this one's origin is AWS_KMS, so it is Enabled.
  const doc = expected('CreateKey', { [DOC_KEY]: meta.KeyId! }, { EXTERNAL: 'AWS_KMS', PendingImport: 'Enabled' });
  assert.deepEqual(record.requestParameters, doc.requestParameters);
  assert.deepEqual(record.responseElements, {
    keyMetadata: { ...doc.responseElements.keyMetadata, creationDate: cloudTrailDate(meta.CreationDate!.getTime() / 1000), enabled: true },
  });
});

test('key state, alias, policy, rotation and tag operations record the documented parameters and responseElements', async () => {
  const key = await newKey();
  const other = await newKey();
  const keys = { [DOC_KEY]: key.id };
  const check = async (name: string, ids: Record<string, string> = keys, also: Record<string, string> = {}) => {
    const record = await lastRecord(name);
    const doc = expected(name, ids, also);
    assert.deepEqual(record.requestParameters, doc.requestParameters, `${name} requestParameters`);
    assert.deepEqual(record.responseElements, doc.responseElements, `${name} responseElements`);
    return { record, doc };
  };

  await kms.send(new DescribeKeyCommand({ KeyId: key.id }));
  await check('DescribeKey');
  await kms.send(new DisableKeyCommand({ KeyId: key.id }));
  await check('DisableKey');
  await kms.send(new EnableKeyCommand({ KeyId: key.id }));
  await check('EnableKey');
  await kms.send(new UpdateKeyDescriptionCommand({ KeyId: key.id, Description: 'New key description' }));
  await check('UpdateKeyDescription');
  await kms.send(new EnableKeyRotationCommand({ KeyId: key.id, RotationPeriodInDays: 180 }));
  await check('EnableKeyRotation');
  await kms.send(new DisableKeyRotationCommand({ KeyId: key.arn }));
  await check('DisableKeyRotation');
  await kms.send(new EnableKeyRotationCommand({ KeyId: key.id, RotationPeriodInDays: 180 }));
  await kms.send(new TagResourceCommand({ KeyId: key.arn, Tags: [{ TagKey: 'Department', TagValue: 'IT' }, { TagKey: 'Dept', TagValue: 'x' }] }));
  const tag = await lastRecord('TagResource');
  assert.deepEqual(tag.requestParameters, { keyId: key.arn, tags: [{ tagKey: 'Department', tagValue: 'IT' }, { tagKey: 'Dept', tagValue: 'x' }] });
  assert.equal(tag.responseElements, expected('TagResource', keys).responseElements);
  await kms.send(new UntagResourceCommand({ KeyId: key.arn, TagKeys: ['Dept'] }));
  await check('UntagResource');

  const policy = documented.PutKeyPolicy.requestParameters.policy as string;
  await kms.send(new PutKeyPolicyCommand({ KeyId: key.id, Policy: policy }));
  await check('PutKeyPolicy');
  await kms.send(new GetKeyPolicyCommand({ KeyId: key.id }));
  await check('GetKeyPolicy');

  await kms.send(new CreateAliasCommand({ AliasName: 'alias/ExampleAlias', TargetKeyId: key.id }));
  await check('CreateAlias');
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/my_alias', TargetKeyId: key.id }));
  await kms.send(new UpdateAliasCommand({ AliasName: 'alias/my_alias', TargetKeyId: other.id }));
  const update = await check('UpdateAlias', { [DOC_KEY]: other.id });
  assert.deepEqual(update.record.resources.map((r: Json) => r.ARN), [`arn:aws:kms:${REGION}:${ACCOUNT}:alias/my_alias`, key.arn, other.arn]);
  await kms.send(new DeleteAliasCommand({ AliasName: 'alias/my_alias' }));
  await check('DeleteAlias', { [DOC_KEY]: other.id });

  await kms.send(new CreateAliasCommand({ AliasName: 'alias/second', TargetKeyId: other.id }));
  const first = await kms.send(new ListAliasesCommand({ Limit: 1 }));
  assert.ok(first.NextMarker, 'two aliases, one per page: a marker');
  await kms.send(new ListAliasesCommand({ Limit: 5, Marker: first.NextMarker }));
  const docMarker = documented.ListAliases.requestParameters.marker as string;
  const list = await check('ListAliases', {}, { [docMarker]: first.NextMarker! });
  assert.deepEqual(list.record.resources, list.doc.resources);

  const deletion = await kms.send(new ScheduleKeyDeletionCommand({ KeyId: key.id, PendingWindowInDays: 20 }));
  const scheduled = await lastRecord('ScheduleKeyDeletion');
  const doc = expected('ScheduleKeyDeletion', keys);
  assert.deepEqual(scheduled.requestParameters, doc.requestParameters);
  assert.deepEqual(scheduled.responseElements, { ...doc.responseElements, deletionDate: cloudTrailDate(deletion.DeletionDate!.getTime() / 1000) });
  await kms.send(new CancelKeyDeletionCommand({ KeyId: key.id }));
  await check('CancelKeyDeletion');
});

test('tlsDetails: the protocol, suite and Host header of a TLS call; none over plain HTTP', async () => {
  const key = await newKey();
  await kms.send(new EncryptCommand({ KeyId: key.id, Plaintext: Buffer.from('x') }));
  const record = await lastRecord('Encrypt');
  const doc = expected('Encrypt', {});
  assert.deepEqual(record.tlsDetails, { ...doc.tlsDetails, clientProvidedHostHeader: `127.0.0.1:${port}` });
  assert.equal(Object.keys(record).at(-1), 'tlsDetails', 'tlsDetails closes the record, after eventCategory');

  const tls12 = tlsKms({ minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' });
  try {
    await tls12.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
  } finally {
    tls12.destroy();
  }
  assert.deepEqual((await lastRecord('GenerateRandom')).tlsDetails, { tlsVersion: 'TLSv1.2', cipherSuite: 'ECDHE-ECDSA-AES128-GCM-SHA256', clientProvidedHostHeader: `127.0.0.1:${port}` });

  plain = await startKmsServer();
  const overHttp = new KMSClient({ endpoint: plain.endpoint, region: REGION, maxAttempts: 1, credentials: { accessKeyId: plain.accessKeyId, secretAccessKey: plain.secretAccessKey } });
  try {
    await overHttp.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
  } finally {
    overHttp.destroy();
  }
  assert.match(plain.endpoint, /^http:\/\//);
  const event = plain.events.at(-1)!;
  assert.equal(event.eventName, 'GenerateRandom');
  assert.equal(event.tlsDetails, undefined);
});
