/** Key rotation: Enable/DisableKeyRotation, GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations. */
import { keyArn } from '../arn.js';
import { newMaterial } from '../crypto/aead.js';
import { kmsError, validationError } from '../errors.js';
import type { OperationHandler } from './context.js';
import { optInt, optString, reqString } from './input.js';
import { keyMaterialId } from '../keys/material-id.js';
import type { KeyMaterial } from '../keys/model.js';
import { addMaterial, authorize, findKey, recordRotation, requireEnabled } from './key-access.js';
import { readPage } from './paging.js';

const DAY_MS = 86_400_000;

export const enableKeyRotation: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  const days = optInt(call.body, 'RotationPeriodInDays') ?? 365;
  if (days < 90) throw validationError([{ member: 'rotationPeriodInDays', value: days, constraint: 'Member must have value greater than or equal to 90' }]);
  if (days > 2560) throw validationError([{ member: 'rotationPeriodInDays', value: days, constraint: 'Member must have value less than or equal to 2560' }]);
  authorize(svc, call, key, 'kms:EnableKeyRotation', { 'kms:rotationperiodindays': String(days) });
  requireEnabled(svc, key);
  const now = svc.clock.now();
  // The period counts from when rotation is enabled, as in AWS.
  await svc.keys.update(key.keyId, (cur) => ({ ...cur, rotation: { enabled: true, periodDays: days, lastRotatedAt: cur.rotation.lastRotatedAt ?? now } }));
  return {};
};

export const disableKeyRotation: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  authorize(svc, call, key, 'kms:DisableKeyRotation');
  requireEnabled(svc, key);
  await svc.keys.update(key.keyId, (cur) => ({ ...cur, rotation: { ...cur.rotation, enabled: false } }));
  return {};
};

export const getKeyRotationStatus: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  authorize(svc, call, key, 'kms:GetKeyRotationStatus');
  const out: Record<string, unknown> = { KeyRotationEnabled: key.rotation.enabled, KeyId: keyArn(svc.location, key.keyId) };
  if (key.rotation.enabled) {
    out.RotationPeriodInDays = key.rotation.periodDays;
    out.NextRotationDate = ((key.rotation.lastRotatedAt ?? key.createdAt) + key.rotation.periodDays * DAY_MS) / 1000;
  }
  return out;
};

/**
 * AWS's on-demand rotation quota per key (not adjustable; 25 in the developer guide's resource
 * quotas, 10 before). Each rotation adds a material to the key's record, read on every call.
 */
export const ON_DEMAND_ROTATIONS_PER_KEY = 25;

export const rotateKeyOnDemand: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  authorize(svc, call, key, 'kms:RotateKeyOnDemand');
  requireEnabled(svc, key);
  await svc.keys.update(key.keyId, (cur) => {
    if (cur.materials.filter((m) => m.rotationType === 'ON_DEMAND').length >= ON_DEMAND_ROTATIONS_PER_KEY) {
      throw kmsError('LimitExceededException', `The on-demand rotation quota for ${keyArn(svc.location, key.keyId)} is reached: a KMS key can be rotated on demand at most ${ON_DEMAND_ROTATIONS_PER_KEY} times.`);
    }
    const next = addMaterial(cur, newMaterial(), svc.clock.now(), 'ON_DEMAND');
    // On-demand rotation does not move the automatic schedule.
    return { ...next, rotation: { ...next.rotation, lastRotatedAt: cur.rotation.lastRotatedAt } };
  }, (after, before) => recordRotation(svc, before, after, 'ON_DEMAND'));
  return { KeyId: keyArn(svc.location, key.keyId) };
};

const INCLUDE_KEY_MATERIAL = ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'];
const ROTATION_MARKER_PREFIX = 'rotation.';

/**
 * The key's materials oldest first: each rotation with its date and type, and with
 * `IncludeKeyMaterial` ALL_KEY_MATERIAL the first material too (which has neither). A marker names
 * the material version a page ended on.
 */
export const listKeyRotations: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  const include = optString(call.body, 'IncludeKeyMaterial') ?? 'ROTATIONS_ONLY';
  if (!INCLUDE_KEY_MATERIAL.includes(include)) {
    throw validationError([{ member: 'includeKeyMaterial', value: include, constraint: `Member must satisfy enum value set: [${INCLUDE_KEY_MATERIAL.join(', ')}]` }]);
  }
  const { limit, marker } = readPage(call.body, 100, 1000);
  authorize(svc, call, key, 'kms:ListKeyRotations');
  const after = marker === undefined ? 0 : rotationMarkerVersion(marker);
  const listed = include === 'ALL_KEY_MATERIAL' ? key.materials : key.materials.slice(1);
  const rest = listed.filter((m) => m.version > after);
  const page = rest.slice(0, limit);
  const current = key.materials.at(-1);
  const out: Record<string, unknown> = { Rotations: page.map((m) => rotationEntry(key.keyId, m, m === current)), Truncated: rest.length > limit };
  if (out.Truncated) out.NextMarker = ROTATION_MARKER_PREFIX + page.at(-1)!.version;
  return out;
};

function rotationEntry(keyId: string, material: KeyMaterial, current: boolean): Record<string, unknown> {
  const entry: Record<string, unknown> = { KeyId: keyId, KeyMaterialId: keyMaterialId(keyId, material), KeyMaterialState: current ? 'CURRENT' : 'NON_CURRENT' };
  if (material.rotationType) {
    entry.RotationDate = material.createdAt / 1000;
    entry.RotationType = material.rotationType;
  }
  return entry;
}

function rotationMarkerVersion(marker: string): number {
  const version = marker.startsWith(ROTATION_MARKER_PREFIX) && /^[1-9][0-9]{0,8}$/.test(marker.slice(ROTATION_MARKER_PREFIX.length)) ? Number(marker.slice(ROTATION_MARKER_PREFIX.length)) : undefined;
  if (version === undefined) throw kmsError('InvalidMarkerException', 'Invalid marker');
  return version;
}
