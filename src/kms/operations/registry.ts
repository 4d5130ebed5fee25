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
import { keyMetadataElements, wholeResponseElements, type ResponseElements } from './response-elements.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, rotateKeyOnDemand } from './rotation.js';
import { listResourceTags, tagResource, untagResource } from './tagging.js';

export interface OperationSpec {
  handler: OperationHandler;
  readOnly: boolean;
  members: Members;
  /** CloudTrail's responseElements of a successful call; absent = null (crypto and reads). */
  responseElements?: ResponseElements;
}

const op = (handler: OperationHandler, readOnly: boolean, members: Members, responseElements?: ResponseElements): OperationSpec =>
  ({ handler, readOnly, members, ...(responseElements ? { responseElements } : {}) });

// Member groups shared by several operations. Grant tokens are bearer credentials: never recorded.
const KEY: Members = { KeyId: 'string' };
const PAGE: Members = { Limit: 'number', Marker: 'string' };
const GRANTS: Members = { GrantTokens: unrecorded('strings') };
const TAGS: Members = { Tags: { list: { TagKey: 'string', TagValue: 'string' } } };
const RECIPIENT: Members = { Recipient: { struct: { KeyEncryptionAlgorithm: 'string', AttestationDocument: unrecorded('string') } } };
const DRY_RUN: Members = { DryRun: 'boolean' };
const CONTEXT: Members = { EncryptionContext: 'map', EncryptionAlgorithm: 'string' };
const DATA_KEY: Members = { ...KEY, EncryptionContext: 'map', NumberOfBytes: 'number', KeySpec: 'string', ...GRANTS, ...DRY_RUN };

export const KMS_OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  CreateKey: op(createKey, false, {
    Policy: 'string', Description: 'string', KeyUsage: 'string', KeySpec: 'string', CustomerMasterKeySpec: 'string', Origin: 'string',
    BypassPolicyLockoutSafetyCheck: 'boolean', MultiRegion: 'boolean', ...TAGS,
  }, keyMetadataElements),
  DescribeKey: op(describeKey, true, { ...KEY, ...GRANTS }),
  ListKeys: op(listKeys, true, PAGE),
  EnableKey: op(enableKey, false, KEY),
  DisableKey: op(disableKey, false, KEY),
  ScheduleKeyDeletion: op(scheduleKeyDeletion, false, { ...KEY, PendingWindowInDays: 'number' }, wholeResponseElements),
  CancelKeyDeletion: op(cancelKeyDeletion, false, KEY, wholeResponseElements),
  UpdateKeyDescription: op(updateKeyDescription, false, { ...KEY, Description: 'string' }),
  CreateAlias: op(createAlias, false, { AliasName: 'string', TargetKeyId: 'string' }),
  UpdateAlias: op(updateAlias, false, { AliasName: 'string', TargetKeyId: 'string' }),
  DeleteAlias: op(deleteAlias, false, { AliasName: 'string' }),
  ListAliases: op(listAliases, true, { ...KEY, ...PAGE }),
  GetKeyPolicy: op(getKeyPolicy, true, { ...KEY, PolicyName: 'string' }),
  PutKeyPolicy: op(putKeyPolicy, false, { ...KEY, PolicyName: 'string', Policy: 'string', BypassPolicyLockoutSafetyCheck: 'boolean' }),
  ListKeyPolicies: op(listKeyPolicies, true, { ...KEY, ...PAGE }),
  EnableKeyRotation: op(enableKeyRotation, false, { ...KEY, RotationPeriodInDays: 'number' }),
  DisableKeyRotation: op(disableKeyRotation, false, KEY),
  GetKeyRotationStatus: op(getKeyRotationStatus, true, KEY),
  RotateKeyOnDemand: op(rotateKeyOnDemand, false, KEY, wholeResponseElements),
  TagResource: op(tagResource, false, { ...KEY, ...TAGS }),
  UntagResource: op(untagResource, false, { ...KEY, TagKeys: 'strings' }),
  ListResourceTags: op(listResourceTags, true, { ...KEY, ...PAGE }),
  Encrypt: op(encrypt, true, { ...KEY, Plaintext: unrecorded('string'), ...CONTEXT, ...GRANTS, ...DRY_RUN }),
  Decrypt: op(decrypt, true, { ...KEY, CiphertextBlob: unrecorded('string'), ...CONTEXT, ...GRANTS, ...RECIPIENT, ...DRY_RUN }),
  ReEncrypt: op(reEncrypt, true, {
    CiphertextBlob: unrecorded('string'), SourceKeyId: 'string', SourceEncryptionContext: 'map', SourceEncryptionAlgorithm: 'string',
    DestinationKeyId: 'string', DestinationEncryptionContext: 'map', DestinationEncryptionAlgorithm: 'string', ...GRANTS, ...DRY_RUN,
  }),
  GenerateDataKey: op(generateDataKey, true, { ...DATA_KEY, ...RECIPIENT }),
  GenerateDataKeyWithoutPlaintext: op(generateDataKeyWithoutPlaintext, true, DATA_KEY),
  GenerateRandom: op(generateRandom, true, { NumberOfBytes: 'number', CustomKeyStoreId: 'string', ...RECIPIENT }),
};

export function kmsOperation(name: string): OperationSpec | undefined {
  return Object.hasOwn(KMS_OPERATIONS, name) ? KMS_OPERATIONS[name] : undefined;
}
