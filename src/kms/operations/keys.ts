/** Key lifecycle operations: CreateKey, DescribeKey, ListKeys, Enable/DisableKey, deletion, description. */
import { uuid } from '../../lib/ids.js';
import { keyArn } from '../arn.js';
import { kmsError, validationError } from '../errors.js';
import { newMaterial } from '../crypto/aead.js';
import { keyMetadata } from '../keys/metadata.js';
import type { KmsKeyRecord } from '../keys/model.js';
import { defaultKeyPolicy, parseKeyPolicy } from '../policy/index.js';
import type { OperationHandler } from './context.js';
import { optBool, optInt, optString, reqString } from './input.js';
import { authorize, findKey, requireNotPendingDeletion } from './key-access.js';
import { mergeTags, readTags } from './tags.js';
import { checkLockout } from './policy-lockout.js';
import { bindPrincipals } from './policy-principals.js';
import { readPage } from './paging.js';

const KEY_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096', 'ECC_NIST_P256', 'ECC_NIST_P384', 'ECC_NIST_P521', 'ECC_SECG_P256K1', 'SYMMETRIC_DEFAULT', 'HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512', 'SM2'];
const KEY_USAGES = ['SIGN_VERIFY', 'ENCRYPT_DECRYPT', 'GENERATE_VERIFY_MAC', 'KEY_AGREEMENT'];
const ORIGINS = ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'];
const DAY_MS = 86_400_000;

function enumCheck(value: string | undefined, member: string, allowed: string[]): void {
  if (value !== undefined && !allowed.includes(value)) {
    throw validationError([{ member, value, constraint: `Member must satisfy enum value set: [${allowed.join(', ')}]` }]);
  }
}

function description(body: Record<string, unknown>): string | undefined {
  const d = optString(body, 'Description');
  if (d !== undefined && d.length > 8192) throw validationError([{ member: 'description', value: d, constraint: 'Member must have length less than or equal to 8192' }]);
  return d;
}

export const createKey: OperationHandler = async (call, svc) => {
  const { body } = call;
  const keySpec = optString(body, 'KeySpec') ?? optString(body, 'CustomerMasterKeySpec') ?? 'SYMMETRIC_DEFAULT';
  const keyUsage = optString(body, 'KeyUsage') ?? 'ENCRYPT_DECRYPT';
  const origin = optString(body, 'Origin') ?? 'AWS_KMS';
  enumCheck(keySpec, 'keySpec', KEY_SPECS);
  enumCheck(keyUsage, 'keyUsage', KEY_USAGES);
  enumCheck(origin, 'origin', ORIGINS);
  if (keySpec !== 'SYMMETRIC_DEFAULT') throw kmsError('UnsupportedOperationException', `KeySpec ${keySpec} is not supported by this server; only SYMMETRIC_DEFAULT keys are available.`);
  if (keyUsage !== 'ENCRYPT_DECRYPT') throw kmsError('ValidationException', `KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
  if (origin !== 'AWS_KMS') throw kmsError('UnsupportedOperationException', `Origin ${origin} is not supported by this server.`);
  if (optBool(body, 'MultiRegion') === true) throw kmsError('UnsupportedOperationException', 'Multi-Region keys are not supported by this server.');
  const desc = description(body) ?? '';
  const tags = mergeTags([], readTags(body));
  const policy = optString(body, 'Policy') ?? defaultKeyPolicy(svc.location.accountId);
  const parsed = parseKeyPolicy(policy);
  const principalIds = await bindPrincipals(parsed, svc);
  const now = svc.clock.now();
  const key: KmsKeyRecord = {
    keyId: uuid(), createdAt: now, description: desc, keyUsage: 'ENCRYPT_DECRYPT', keySpec: 'SYMMETRIC_DEFAULT', state: 'Enabled',
    policy, principalIds, tags, rotation: { enabled: false, periodDays: 365 },
    materials: [{ version: 1, key: newMaterial().toString('base64'), createdAt: now }],
  };
  if (optBool(body, 'BypassPolicyLockoutSafetyCheck') !== true) checkLockout(parsed, call, svc, key);
  await svc.keys.create(key);
  call.notes.resources.push(keyArn(svc.location, key.keyId));
  return { KeyMetadata: keyMetadata(svc.location, key) };
};

export const describeKey: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: true });
  authorize(svc, call, key, 'kms:DescribeKey');
  return { KeyMetadata: keyMetadata(svc.location, key) };
};

export const listKeys: OperationHandler = async (call, svc) => {
  const { limit, marker } = readPage(call.body, 100, 1000);
  let after = '';
  if (marker !== undefined) {
    after = Buffer.from(marker, 'base64url').toString('utf8');
    if (!/^[0-9a-f-]{36}$/.test(after)) throw kmsError('InvalidMarkerException', 'Invalid marker');
  }
  const ids = (await svc.keys.listIds()).filter((id) => id > after);
  const page = ids.slice(0, limit);
  const out: Record<string, unknown> = {
    Keys: page.map((id) => ({ KeyId: id, KeyArn: keyArn(svc.location, id) })),
    Truncated: ids.length > limit,
  };
  if (ids.length > limit) out.NextMarker = Buffer.from(page[page.length - 1], 'utf8').toString('base64url');
  return out;
};

function setState(action: 'kms:EnableKey' | 'kms:DisableKey', state: 'Enabled' | 'Disabled'): OperationHandler {
  return async (call, svc) => {
    const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
    authorize(svc, call, key, action);
    requireNotPendingDeletion(svc, key);
    await svc.keys.update(key.keyId, (cur) => {
      requireNotPendingDeletion(svc, cur);
      return { ...cur, state };
    });
    return {};
  };
}

export const enableKey = setState('kms:EnableKey', 'Enabled');
export const disableKey = setState('kms:DisableKey', 'Disabled');

export const scheduleKeyDeletion: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  const days = optInt(call.body, 'PendingWindowInDays') ?? 30;
  if (days < 7) throw validationError([{ member: 'pendingWindowInDays', value: days, constraint: 'Member must have value greater than or equal to 7' }]);
  if (days > 30) throw validationError([{ member: 'pendingWindowInDays', value: days, constraint: 'Member must have value less than or equal to 30' }]);
  authorize(svc, call, key, 'kms:ScheduleKeyDeletion', { 'kms:schedulekeydeletionpendingwindowindays': String(days) });
  requireNotPendingDeletion(svc, key);
  const deletionDate = svc.clock.now() + days * DAY_MS;
  await svc.keys.update(key.keyId, (cur) => {
    requireNotPendingDeletion(svc, cur);
    return { ...cur, state: 'PendingDeletion', deletionDate, pendingWindowInDays: days };
  });
  return { KeyId: keyArn(svc.location, key.keyId), DeletionDate: deletionDate / 1000, KeyState: 'PendingDeletion', PendingWindowInDays: days };
};

export const cancelKeyDeletion: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  authorize(svc, call, key, 'kms:CancelKeyDeletion');
  const arn = keyArn(svc.location, key.keyId);
  const notPending = () => kmsError('KMSInvalidStateException', `${arn} is not pending deletion.`);
  if (key.state !== 'PendingDeletion') throw notPending();
  // AWS leaves a key whose deletion was cancelled Disabled.
  await svc.keys.update(key.keyId, ({ deletionDate: _d, pendingWindowInDays: _p, ...rest }) => {
    if (rest.state !== 'PendingDeletion') throw notPending();
    return { ...rest, state: 'Disabled' };
  });
  return { KeyId: arn };
};

export const updateKeyDescription: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  const desc = description(call.body);
  if (desc === undefined) throw validationError([{ member: 'description', value: null, constraint: 'Member must not be null' }]);
  authorize(svc, call, key, 'kms:UpdateKeyDescription');
  requireNotPendingDeletion(svc, key);
  await svc.keys.update(key.keyId, (cur) => {
    requireNotPendingDeletion(svc, cur);
    return { ...cur, description: desc };
  });
  return {};
};
