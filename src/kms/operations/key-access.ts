/**
 * Finding a key from a request's KeyId, authorizing the call against its key policy, and checking
 * that its state allows use — in AWS's order: NotFound → AccessDenied → Disabled/PendingDeletion.
 * Keys whose deletion date has passed are deleted, with their aliases, by the periodic sweep
 * (purgeDueKeys) and by the first call that names one before it; each deletion is a DeleteKey
 * service event, as AWS records its own.
 */
import { aliasArn, keyArn, parseKeyRef } from '../arn.js';
import { kmsError, validationError } from '../errors.js';
import { keyMaterialId } from '../keys/material-id.js';
import { currentMaterial, type KmsKeyRecord, type Tag } from '../keys/model.js';
import { createPolicyCache } from '../policy/cache.js';
import { conditionMap, evaluateKeyPolicy, mergeConditions, pairConditions, type ConditionValue, type KeyPolicy, type PolicyDecision } from '../policy/index.js';
import type { KmsCall, KmsServices } from './context.js';
import { withBoundPrincipals } from './policy-principals.js';

const DAY_MS = 86_400_000;

export interface FindOptions {
  /** Whether the operation accepts alias names and alias ARNs (Encrypt does; EnableKey does not). */
  aliases: boolean;
  /** The member name for validation messages (keyId, targetKeyId, destinationKeyId). */
  member?: string;
}

export function checkKeyIdLength(ref: string, member: string): void {
  if (ref.length < 1) throw validationError([{ member, value: ref, constraint: 'Member must have length greater than or equal to 1' }]);
  if (ref.length > 2048) throw validationError([{ member, value: ref, constraint: 'Member must have length less than or equal to 2048' }]);
}

async function purgeIfDue(svc: KmsServices, key: KmsKeyRecord): Promise<boolean> {
  if (key.state !== 'PendingDeletion' || key.deletionDate === undefined || svc.clock.now() < key.deletionDate) return false;
  // Recorded first, as a rotation is: a crash before the removal leaves an event the next purge
  // repeats, never a key gone without one. An event the journal cannot take keeps the key until a
  // later purge.
  await svc.keyDeleted?.(key.keyId);
  for (const a of await svc.keys.listAliases()) if (a.targetKeyId === key.keyId) await svc.keys.deleteAlias(a.aliasName);
  await svc.keys.remove(key.keyId);
  return true;
}

/**
 * Deletes every key whose waiting period has ended, with its material and aliases, whether or not
 * anyone names it again: deletion destroys the material on the date ScheduleKeyDeletion gave, as
 * AWS deletes it, so what was encrypted under the key cannot be read back from storage. Returns how
 * many. Stops between keys when `signal` aborts.
 */
export async function purgeDueKeys(svc: KmsServices, signal?: AbortSignal): Promise<number> {
  let purged = 0;
  for (const keyId of await svc.keys.listIds()) {
    if (signal?.aborted) break;
    const key = await svc.keys.get(keyId);
    if (key && (await purgeIfDue(svc, key))) purged++;
  }
  return purged;
}

/** A live key record by id (undefined when absent or just purged). */
export async function liveKey(svc: KmsServices, keyId: string): Promise<KmsKeyRecord | undefined> {
  const key = await svc.keys.get(keyId);
  if (!key || (await purgeIfDue(svc, key))) return undefined;
  return key;
}

export async function findKey(svc: KmsServices, call: KmsCall, ref: string, opts: FindOptions): Promise<KmsKeyRecord> {
  checkKeyIdLength(ref, opts.member ?? 'keyId');
  const parsed = parseKeyRef(ref);
  const loc = svc.location;
  let keyId: string;
  if (parsed.kind === 'invalid' || (!opts.aliases && (parsed.kind === 'alias' || parsed.kind === 'aliasArn'))) {
    throw kmsError('NotFoundException', `Invalid keyId '${ref}'`);
  }
  if (parsed.kind === 'alias' || parsed.kind === 'aliasArn') {
    const arn = aliasArn(loc, parsed.aliasName);
    if (parsed.kind === 'aliasArn' && (parsed.accountId !== loc.accountId || parsed.region !== loc.region)) {
      throw kmsError('NotFoundException', `Alias '${ref}' is not found.`);
    }
    const alias = await svc.keys.getAlias(parsed.aliasName);
    if (!alias) throw kmsError('NotFoundException', `Alias '${arn}' is not found.`);
    keyId = alias.targetKeyId;
    call.requestAliases.set(keyId, parsed.aliasName);
  } else {
    // KMS answers a key ARN of another Region with the ARN's Region alone, before any lookup.
    if (parsed.kind === 'keyArn' && parsed.region !== loc.region) throw kmsError('NotFoundException', `Invalid arn ${parsed.region}`);
    if (parsed.kind === 'keyArn' && parsed.accountId !== loc.accountId) throw kmsError('NotFoundException', `Key '${ref}' does not exist`);
    keyId = parsed.keyId;
  }
  const key = await liveKey(svc, keyId);
  if (!key) throw kmsError('NotFoundException', `Key '${keyArn(loc, keyId)}' does not exist`);
  call.notes.resources.push(keyArn(loc, key.keyId));
  return key.principalIds === undefined ? withBoundPrincipals(svc, key, policyOf(key.policy)) : key;
}

/** Parsed policies by text: the same text parses to the same policy (policy/cache.ts). */
const policyOf = createPolicyCache();

/** `aws:ResourceTag/<key>`: the key's tags, which every call to the key presents to its policy. */
export const resourceTagConditions = (tags: readonly Tag[]) => pairConditions('aws:resourcetag/', tags.map((t) => [t.TagKey, t.TagValue] as const));

/**
 * What AWS presents about the key itself on every call to it (conditions-kms): its origin, spec,
 * usage (and their older `CustomerMasterKey*` names), that it is not multi-Region, the account that
 * owns it, its tags and its aliases. Left absent, a Deny written on any of them would never apply.
 */
function keyConditions(svc: KmsServices, key: Pick<KmsKeyRecord, 'keyId' | 'keySpec' | 'keyUsage' | 'tags'>): Record<string, ConditionValue> {
  // The key's aliases, a multi-valued key absent when it has none (so ForAnyValue is false, and
  // ForAllValues true, as in AWS).
  const aliases = svc.keys.aliasNamesOf(key.keyId);
  const out = resourceTagConditions(key.tags);
  if (aliases.length > 0) out['kms:resourcealiases'] = aliases;
  out['kms:keyorigin'] = 'AWS_KMS';
  out['kms:keyspec'] = key.keySpec;
  out['kms:customermasterkeyspec'] = key.keySpec;
  out['kms:keyusage'] = key.keyUsage;
  out['kms:customermasterkeyusage'] = key.keyUsage;
  out['kms:multiregion'] = 'false';
  out['aws:resourceaccount'] = svc.location.accountId;
  return out;
}

export type PolicyKey = Pick<KmsKeyRecord, 'keyId' | 'keySpec' | 'keyUsage' | 'tags' | 'principalIds'>;

/**
 * The key policy's decision on `action` by the caller, with every condition key the call presents:
 * the operation's own (`context`: encryption context, parameters), the key's, and the request's.
 * The lockout safety check asks the same question of a new policy, so it sees the same keys.
 */
export function decideKeyPolicy(svc: KmsServices, call: KmsCall, policy: KeyPolicy, key: PolicyKey, action: string, context: Record<string, ConditionValue> = {}): PolicyDecision {
  return evaluateKeyPolicy(policy, {
    principalArn: call.principalArn,
    principalId: call.principalId,
    principalIds: key.principalIds,
    accountId: svc.location.accountId,
    action,
    resourceArn: keyArn(svc.location, key.keyId),
    // Only conditions read the keys; a policy without any (the default key policy) needs none built.
    context: hasConditions(policy) ? conditionKeys(svc, call, key, context) : NO_CONDITION_KEYS,
  });
}

/** Every condition key the call presents: the operation's own, the key's, and the request's. */
function conditionKeys(svc: KmsServices, call: KmsCall, key: PolicyKey, context: Readonly<Record<string, ConditionValue>>): Record<string, ConditionValue> {
  const out = mergeConditions(context, keyConditions(svc, key), call.requestConditions);
  const alias = call.requestAliases.get(key.keyId);
  if (alias !== undefined) out['kms:requestalias'] = alias;
  out['kms:calleraccount'] = svc.location.accountId;
  out['aws:principalarn'] = call.principalArn;
  return out;
}

const NO_CONDITION_KEYS: Readonly<Record<string, ConditionValue>> = Object.freeze(conditionMap());
const hasConditions = (policy: KeyPolicy) => policy.statements.some((s) => s.conditions.length > 0);

/** Evaluates the key policy for `action` (`kms:Decrypt`); throws AccessDeniedException. */
export function authorize(svc: KmsServices, call: KmsCall, key: KmsKeyRecord, action: string, context: Record<string, ConditionValue> = {}): void {
  const decision = decideKeyPolicy(svc, call, policyOf(key.policy), key, action, context);
  if (decision === 'allow') return;
  const why = decision === 'explicit-deny' ? 'with an explicit deny in a resource-based policy'
    : decision === 'too-costly' ? 'because its key policy is too costly to evaluate for this request'
      : `because no resource-based policy allows the ${action} action`;
  throw kmsError('AccessDeniedException', `User: ${call.principalArn} is not authorized to perform: ${action} on resource: ${keyArn(svc.location, key.keyId)} ${why}`);
}

/** Cryptographic operations need an Enabled key. */
export function requireEnabled(svc: KmsServices, key: KmsKeyRecord): void {
  const arn = keyArn(svc.location, key.keyId);
  if (key.state === 'Disabled') throw kmsError('DisabledException', `${arn} is disabled.`);
  if (key.state === 'PendingDeletion') throw kmsError('KMSInvalidStateException', `${arn} is pending deletion.`);
}

/** Management operations that AWS refuses while a key is pending deletion. */
export function requireNotPendingDeletion(svc: KmsServices, key: KmsKeyRecord): void {
  if (key.state === 'PendingDeletion') throw kmsError('KMSInvalidStateException', `${keyArn(svc.location, key.keyId)} is pending deletion.`);
}

/**
 * Automatic rotation, applied by the periodic sweep (rotateDueKeys) and when a key is next used for
 * encryption, whichever comes first: once the period has passed since the last rotation (or
 * creation), new material becomes current; old material stays for decryption. The period is judged again under the key's lock, so calls that race rotate once.
 */
export async function rotateIfDue(svc: KmsServices, key: KmsKeyRecord, newMaterial: () => Buffer): Promise<KmsKeyRecord> {
  if (!rotationDue(svc, key)) return key;
  const next = await svc.keys.update(
    key.keyId,
    (cur) => (rotationDue(svc, cur) ? addMaterial(cur, newMaterial(), svc.clock.now(), 'AUTOMATIC') : cur),
    (after, before) => recordRotation(svc, before, after, 'AUTOMATIC'),
  );
  return next ?? key;
}

/**
 * Rotates every enabled key whose period has passed, whether or not anyone uses it, as AWS rotates
 * on the date (a disabled key is rotated when next used after it is enabled again). Returns how
 * many. Stops between keys when `signal` aborts.
 */
export async function rotateDueKeys(svc: KmsServices, newMaterial: () => Buffer, signal?: AbortSignal): Promise<number> {
  let rotated = 0;
  for (const keyId of await svc.keys.listIds()) {
    if (signal?.aborted) break;
    const key = await svc.keys.get(keyId);
    if (!key || key.state !== 'Enabled' || !rotationDue(svc, key)) continue;
    if ((await rotateIfDue(svc, key, newMaterial)) !== key) rotated++;
  }
  return rotated;
}

function rotationDue(svc: KmsServices, key: KmsKeyRecord): boolean {
  if (!key.rotation.enabled) return false;
  const since = key.rotation.lastRotatedAt ?? key.createdAt;
  return svc.clock.now() >= since + key.rotation.periodDays * DAY_MS;
}

/** The RotateKey service event of a rotation from `before` to `after`, as AWS records its own. */
export async function recordRotation(svc: KmsServices, before: KmsKeyRecord, after: KmsKeyRecord, type: 'AUTOMATIC' | 'ON_DEMAND'): Promise<void> {
  const details = {
    rotationType: type,
    keyOrigin: 'AWS_KMS',
    previousKeyMaterialId: keyMaterialId(before.keyId, currentMaterial(before)),
    currentKeyMaterialId: keyMaterialId(after.keyId, currentMaterial(after)),
    keyId: after.keyId,
  };
  // Recorded before the new material is stored (KeyStore.update's beforeWrite): a crash between
  // the two leaves an event of a rotation that did not happen, never a material without its event.
  // An event the journal cannot take refuses the rotation.
  await svc.keyRotated?.(after.keyId, details);
}

export function addMaterial(key: KmsKeyRecord, material: Buffer, now: number, type: 'AUTOMATIC' | 'ON_DEMAND'): KmsKeyRecord {
  const version = key.materials[key.materials.length - 1].version + 1;
  return {
    ...key,
    materials: [...key.materials, { version, key: material.toString('base64'), createdAt: now, rotationType: type }],
    rotation: { ...key.rotation, lastRotatedAt: now },
  };
}

export function rejectDryRun(call: KmsCall): void {
  if (call.body.DryRun === true) throw kmsError('DryRunOperationException', 'The request would have succeeded, but the DryRun option is set.');
}
