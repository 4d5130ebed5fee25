/**
 * Every supported KMS operation: its handler and whether CloudTrail marks it read-only.
 * An operation missing here is AWS's UnknownOperationException.
 */
import { createAlias, deleteAlias, listAliases, updateAlias } from './aliases.js';
import type { OperationHandler } from './context.js';
import { decrypt, encrypt, reEncrypt } from './crypto.js';
import { generateDataKey, generateDataKeyWithoutPlaintext, generateRandom } from './data-keys.js';
import { getKeyPolicy, listKeyPolicies, putKeyPolicy } from './key-policy.js';
import { cancelKeyDeletion, createKey, describeKey, disableKey, enableKey, listKeys, scheduleKeyDeletion, updateKeyDescription } from './keys.js';
import { disableKeyRotation, enableKeyRotation, getKeyRotationStatus, rotateKeyOnDemand } from './rotation.js';
import { listResourceTags, tagResource, untagResource } from './tagging.js';

export interface OperationSpec {
  handler: OperationHandler;
  readOnly: boolean;
}

const op = (handler: OperationHandler, readOnly: boolean): OperationSpec => ({ handler, readOnly });

export const KMS_OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  CreateKey: op(createKey, false),
  DescribeKey: op(describeKey, true),
  ListKeys: op(listKeys, true),
  EnableKey: op(enableKey, false),
  DisableKey: op(disableKey, false),
  ScheduleKeyDeletion: op(scheduleKeyDeletion, false),
  CancelKeyDeletion: op(cancelKeyDeletion, false),
  UpdateKeyDescription: op(updateKeyDescription, false),
  CreateAlias: op(createAlias, false),
  UpdateAlias: op(updateAlias, false),
  DeleteAlias: op(deleteAlias, false),
  ListAliases: op(listAliases, true),
  GetKeyPolicy: op(getKeyPolicy, true),
  PutKeyPolicy: op(putKeyPolicy, false),
  ListKeyPolicies: op(listKeyPolicies, true),
  EnableKeyRotation: op(enableKeyRotation, false),
  DisableKeyRotation: op(disableKeyRotation, false),
  GetKeyRotationStatus: op(getKeyRotationStatus, true),
  RotateKeyOnDemand: op(rotateKeyOnDemand, false),
  TagResource: op(tagResource, false),
  UntagResource: op(untagResource, false),
  ListResourceTags: op(listResourceTags, true),
  Encrypt: op(encrypt, true),
  Decrypt: op(decrypt, true),
  ReEncrypt: op(reEncrypt, true),
  GenerateDataKey: op(generateDataKey, true),
  GenerateDataKeyWithoutPlaintext: op(generateDataKeyWithoutPlaintext, true),
  GenerateRandom: op(generateRandom, true),
};

export function kmsOperation(name: string): OperationSpec | undefined {
  return Object.hasOwn(KMS_OPERATIONS, name) ? KMS_OPERATIONS[name] : undefined;
}
