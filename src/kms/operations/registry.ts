/**
 * Every supported KMS operation: its handler, whether CloudTrail marks it read-only, the request
 * members it reads (`members`: anything else is dropped before the handler, the audit entry and the
 * trail see the request; `unrecorded` members never reach CloudTrail), and the response members
 * CloudTrail records. An operation missing here is AWS's UnknownOperationException and no event.
 */
import { unrecorded, type Members } from '../../lib/aws-members.js';
import { createAlias, deleteAlias, listAliases, updateAlias } from './aliases.js';
import type { OperationHandler } from './context.js';
import { decrypt, encrypt, reEncrypt } from './crypto.js';
import { generateDataKey, generateDataKeyWithoutPlaintext, generateRandom } from './data-keys.js';
import { getKeyPolicy, listKeyPolicies, putKeyPolicy } from './key-policy.js';
import { cancelKeyDeletion, createKey, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion, updateKeyDescription } from './keys.js';
import { affectedKeyElements, deletionElements, keyMetadataElements, wholeResponseElements, type ResponseElements } from './response-elements.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, listKeyRotations, rotateKeyOnDemand } from './rotation.js';
import { listResourceTags, tagResource, untagResource } from './tagging.js';

export interface OperationSpec {
  handler: OperationHandler;
  readOnly: boolean;
  members: Members;
  /** Values AWS applies to omitted members and CloudTrail shows as sent (see AwsOperationFacts). */
  recordedDefaults?: (body: Readonly<Record<string, unknown>>) => Record<string, unknown>;
  /** CloudTrail's responseElements of a successful call; absent = null (crypto and reads). */
  responseElements?: ResponseElements;
}

type Extras = Pick<OperationSpec, 'recordedDefaults' | 'responseElements'>;

const op = (handler: OperationHandler, readOnly: boolean, members: Members, extras: Extras = {}): OperationSpec =>
  ({ handler, readOnly, members, ...extras });

// Member groups shared by several operations. Grant tokens are bearer credentials: never recorded.
const KEY: Members = { KeyId: 'string' };
const PAGE: Members = { Limit: 'number', Marker: 'string' };
const GRANTS: Members = { GrantTokens: unrecorded('strings') };
const TAGS: Members = { Tags: { list: { TagKey: 'string', TagValue: 'string' } } };
// CloudTrail shows a Recipient only through additionalEventData.recipient, never in requestParameters.
const RECIPIENT: Members = { Recipient: unrecorded({ struct: { KeyEncryptionAlgorithm: 'string', AttestationDocument: 'string' } }) };
const DRY_RUN: Members = { DryRun: 'boolean' };
const DATA_KEY: Members = { ...KEY, EncryptionContext: 'map', NumberOfBytes: 'number', KeySpec: 'string', ...GRANTS, ...DRY_RUN };

const SYMMETRIC = 'SYMMETRIC_DEFAULT';
const constant = (values: Record<string, unknown>) => () => ({ ...values });
const AFFECTED_KEY: Extras = { responseElements: affectedKeyElements };

/** CreateKey as AWS records it: every default it applied, both spec members naming the one spec. */
function createKeyDefaults(body: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const given = [body.KeySpec, body.CustomerMasterKeySpec].find((v) => typeof v === 'string');
  const spec = given ?? SYMMETRIC;
  return {
    Description: '', Origin: 'AWS_KMS', BypassPolicyLockoutSafetyCheck: false,
    CustomerMasterKeySpec: spec, KeySpec: spec, KeyUsage: 'ENCRYPT_DECRYPT',
  };
}

export const KMS_OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  CreateKey: op(createKey, false, {
    Policy: 'string', Description: 'string', Origin: 'string', BypassPolicyLockoutSafetyCheck: 'boolean',
    CustomerMasterKeySpec: 'string', KeySpec: 'string', KeyUsage: 'string', MultiRegion: 'boolean', ...TAGS,
  }, { recordedDefaults: createKeyDefaults, responseElements: keyMetadataElements }),
  DescribeKey: op(describeKey, true, { ...KEY, ...GRANTS }),
  ListKeys: op(listKeys, true, PAGE),
  EnableKey: op(enableKey, false, KEY, AFFECTED_KEY),
  DisableKey: op(disableKey, false, KEY, AFFECTED_KEY),
  ScheduleKeyDeletion: op(scheduleKeyDeletion, false, { ...KEY, PendingWindowInDays: 'number' }, { responseElements: deletionElements }),
  CancelKeyDeletion: op(cancelKeyDeletion, false, KEY, { responseElements: wholeResponseElements }),
  UpdateKeyDescription: op(updateKeyDescription, false, { ...KEY, Description: 'string' }),
  CreateAlias: op(createAlias, false, { AliasName: 'string', TargetKeyId: 'string' }, AFFECTED_KEY),
  UpdateAlias: op(updateAlias, false, { AliasName: 'string', TargetKeyId: 'string' }, AFFECTED_KEY),
  DeleteAlias: op(deleteAlias, false, { AliasName: 'string' }, AFFECTED_KEY),
  ListAliases: op(listAliases, true, { ...KEY, ...PAGE }),
  GetKeyPolicy: op(getKeyPolicy, true, { ...KEY, PolicyName: 'string' }, { recordedDefaults: constant({ PolicyName: 'default' }) }),
  PutKeyPolicy: op(putKeyPolicy, false, { ...KEY, PolicyName: 'string', Policy: 'string', BypassPolicyLockoutSafetyCheck: 'boolean' }, {
    recordedDefaults: constant({ PolicyName: 'default', BypassPolicyLockoutSafetyCheck: false }),
  }),
  ListKeyPolicies: op(listKeyPolicies, true, { ...KEY, ...PAGE }),
  EnableKeyRotation: op(enableKeyRotation, false, { ...KEY, RotationPeriodInDays: 'number' }, AFFECTED_KEY),
  DisableKeyRotation: op(disableKeyRotation, false, KEY),
  GetKeyRotationStatus: op(getKeyRotationStatus, true, KEY),
  RotateKeyOnDemand: op(rotateKeyOnDemand, false, KEY, { responseElements: wholeResponseElements }),
  ListKeyRotations: op(listKeyRotations, true, { ...KEY, IncludeKeyMaterial: 'string', ...PAGE }),
  TagResource: op(tagResource, false, { ...KEY, ...TAGS }),
  UntagResource: op(untagResource, false, { ...KEY, TagKeys: 'strings' }, AFFECTED_KEY),
  ListResourceTags: op(listResourceTags, true, { ...KEY, ...PAGE }),
  Encrypt: op(encrypt, true, { ...KEY, Plaintext: unrecorded('string'), EncryptionContext: 'map', EncryptionAlgorithm: 'string', ...GRANTS, ...DRY_RUN }, {
    recordedDefaults: constant({ EncryptionAlgorithm: SYMMETRIC }),
  }),
  Decrypt: op(decrypt, true, {
    EncryptionAlgorithm: 'string', ...KEY, CiphertextBlob: unrecorded('string'), EncryptionContext: 'map', ...GRANTS, ...RECIPIENT, ...DRY_RUN,
  }, { recordedDefaults: constant({ EncryptionAlgorithm: SYMMETRIC }) }),
  ReEncrypt: op(reEncrypt, true, {
    CiphertextBlob: unrecorded('string'), SourceKeyId: 'string', SourceEncryptionAlgorithm: 'string', SourceEncryptionContext: 'map',
    DestinationKeyId: 'string', DestinationEncryptionAlgorithm: 'string', DestinationEncryptionContext: 'map', ...GRANTS, ...DRY_RUN,
  }, { recordedDefaults: constant({ SourceEncryptionAlgorithm: SYMMETRIC, DestinationEncryptionAlgorithm: SYMMETRIC }) }),
  GenerateDataKey: op(generateDataKey, true, { ...DATA_KEY, ...RECIPIENT }),
  GenerateDataKeyWithoutPlaintext: op(generateDataKeyWithoutPlaintext, true, DATA_KEY),
  // AWS records no parameter of GenerateRandom (its requestParameters is null), with or without a Recipient.
  GenerateRandom: op(generateRandom, true, { NumberOfBytes: unrecorded('number'), CustomKeyStoreId: unrecorded('string'), ...RECIPIENT }),
};

export function kmsOperation(name: string): OperationSpec | undefined {
  return Object.hasOwn(KMS_OPERATIONS, name) ? KMS_OPERATIONS[name] : undefined;
}
