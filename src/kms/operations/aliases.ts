/**
 * Alias operations: CreateAlias, UpdateAlias, DeleteAlias, ListAliases. Each change reads the
 * alias, checks and writes holding the alias's lock (KeyStore.withAlias): two CreateAlias of one
 * name race to exactly one success, and an UpdateAlias is authorized on the key the alias names
 * when it is changed.
 */
import { aliasArn, keyArn } from '../arn.js';
import { kmsError, validationError } from '../errors.js';
import type { AliasRecord } from '../keys/model.js';
import type { KmsCall, KmsServices, OperationHandler } from './context.js';
import { optString, reqString } from './input.js';
import { authorize, findKey, liveKey, requireNotPendingDeletion } from './key-access.js';
import { readPage } from './paging.js';

/** AWS's model pattern (a ValidationException); it admits ":", which no alias name may hold. */
const ALIAS_PATTERN = /^[a-zA-Z0-9:/_-]+$/;
const ALIAS_NAME = /^alias\/[a-zA-Z0-9/_-]+$/;
const ALIAS_PREFIX_MESSAGE = 'Alias must start with the prefix "alias/". Please see https://docs.aws.amazon.com/kms/latest/developerguide/kms-alias.html';

function aliasName(call: KmsCall): string {
  const name = reqString(call.body, 'AliasName');
  if (name.length < 1 || name.length > 256) {
    throw validationError([{ member: 'aliasName', value: name, constraint: `Member must have length ${name.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 256'}` }]);
  }
  if (!ALIAS_PATTERN.test(name)) {
    throw validationError([{ member: 'aliasName', value: name, constraint: `Member must satisfy regular expression pattern: ${ALIAS_PATTERN.source}` }]);
  }
  // A missing prefix is AWS's ValidationException; a bare "alias/" names no alias.
  if (!name.startsWith('alias/')) throw kmsError('ValidationException', ALIAS_PREFIX_MESSAGE);
  if (name.length === 'alias/'.length) throw kmsError('InvalidAliasNameException', ALIAS_PREFIX_MESSAGE);
  return name;
}

/** A new alias's name; the other alias operations find names already made, so any stored one stays reachable. */
function newAliasName(name: string): void {
  if (!ALIAS_NAME.test(name)) {
    throw kmsError('InvalidAliasNameException', 'Alias name may contain only alphanumeric characters, forward slashes (/), underscores (_), and dashes (-).');
  }
}

/** AWS's quota of aliases per KMS key (CreateAlias and UpdateAlias past it: LimitExceededException). */
export const ALIASES_PER_KEY = 50;

/** Refuses a key that already has ALIASES_PER_KEY aliases. Called holding the alias's lock. */
async function roomForAlias(svc: KmsServices, keyId: string): Promise<void> {
  if ((await svc.keys.aliasCount(keyId)) >= ALIASES_PER_KEY) {
    throw kmsError('LimitExceededException', `The KMS key ${keyArn(svc.location, keyId)} has ${ALIASES_PER_KEY} aliases, the most a key can have.`);
  }
}

function notReserved(name: string): void {
  if (name.startsWith('alias/aws/')) throw kmsError('InvalidAliasNameException', 'Alias must not begin with "alias/aws/": that prefix is reserved for AWS managed keys');
}

async function existing(svc: KmsServices, name: string): Promise<AliasRecord> {
  const alias = await svc.keys.getAlias(name);
  if (!alias || !(await liveKey(svc, alias.targetKeyId))) throw kmsError('NotFoundException', `Alias ${aliasArn(svc.location, name)} is not found.`);
  return alias;
}

/** CloudTrail lists an alias operation's alias among its resources, before the key. */
function noteAlias(call: KmsCall, svc: KmsServices, name: string): void {
  call.notes.resources.push(aliasArn(svc.location, name));
}

export const createAlias: OperationHandler = async (call, svc) => {
  const name = aliasName(call);
  newAliasName(name);
  notReserved(name);
  noteAlias(call, svc, name);
  const key = await findKey(svc, call, reqString(call.body, 'TargetKeyId'), { aliases: false, member: 'targetKeyId' });
  authorize(svc, call, key, 'kms:CreateAlias');
  requireNotPendingDeletion(svc, key);
  await svc.keys.withAlias(name, async () => {
    const current = await svc.keys.getAlias(name);
    if (current && (await liveKey(svc, current.targetKeyId))) {
      throw kmsError('AlreadyExistsException', `An alias with the name ${aliasArn(svc.location, name)} already exists`);
    }
    await roomForAlias(svc, key.keyId);
    const now = svc.clock.now();
    await svc.keys.putAlias({ aliasName: name, targetKeyId: key.keyId, createdAt: now, updatedAt: now });
  });
  return {};
};

export const updateAlias: OperationHandler = async (call, svc) => {
  const name = aliasName(call);
  notReserved(name);
  noteAlias(call, svc, name);
  const target = reqString(call.body, 'TargetKeyId');
  await svc.keys.withAlias(name, async () => {
    const alias = await existing(svc, name);
    const oldKey = await findKey(svc, call, alias.targetKeyId, { aliases: false });
    const newKey = await findKey(svc, call, target, { aliases: false, member: 'targetKeyId' });
    authorize(svc, call, oldKey, 'kms:UpdateAlias');
    authorize(svc, call, newKey, 'kms:UpdateAlias');
    requireNotPendingDeletion(svc, newKey);
    if (newKey.keyId !== alias.targetKeyId) await roomForAlias(svc, newKey.keyId);
    await svc.keys.putAlias({ ...alias, targetKeyId: newKey.keyId, updatedAt: svc.clock.now() });
  });
  return {};
};

export const deleteAlias: OperationHandler = async (call, svc) => {
  const name = aliasName(call);
  notReserved(name);
  noteAlias(call, svc, name);
  await svc.keys.withAlias(name, async () => {
    const alias = await existing(svc, name);
    const key = await findKey(svc, call, alias.targetKeyId, { aliases: false });
    authorize(svc, call, key, 'kms:DeleteAlias');
    await svc.keys.deleteAlias(name);
  });
  return {};
};

export const listAliases: OperationHandler = async (call, svc) => {
  const { limit, marker } = readPage(call.body, 50, 100);
  const keyRef = optString(call.body, 'KeyId');
  const onlyKey = keyRef !== undefined ? (await findKey(svc, call, keyRef, { aliases: false })).keyId : undefined;
  const after = marker !== undefined ? Buffer.from(marker, 'base64url').toString('utf8') : '';
  if (marker !== undefined && !after.startsWith('alias/')) throw kmsError('InvalidMarkerException', 'Invalid marker');
  // A page reads the keys of its own aliases and one more (to know whether more follow), not all.
  const live: AliasRecord[] = [];
  for (const a of await svc.keys.listAliases()) {
    if (live.length > limit) break;
    if (a.aliasName <= after || (onlyKey && a.targetKeyId !== onlyKey)) continue;
    if (await liveKey(svc, a.targetKeyId)) live.push(a);
  }
  const page = live.slice(0, limit);
  const out: Record<string, unknown> = {
    Aliases: page.map((a) => ({
      AliasName: a.aliasName, AliasArn: aliasArn(svc.location, a.aliasName), TargetKeyId: a.targetKeyId,
      CreationDate: a.createdAt / 1000, LastUpdatedDate: a.updatedAt / 1000,
    })),
    Truncated: live.length > limit,
  };
  if (live.length > limit) out.NextMarker = Buffer.from(page[page.length - 1].aliasName, 'utf8').toString('base64url');
  return out;
};
