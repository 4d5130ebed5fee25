/**
 * The key material id CloudTrail records (`additionalEventData.keyMaterialId`): 64 hex digits that
 * name one version of a key's material, stable for its life. AWS derives it from the key id and
 * the material without saying how; here it is an HMAC-SHA-256 keyed with the material over the
 * key id, so it names the material without revealing anything about it.
 *
 * Every Encrypt, Decrypt and data-key call records one, so each is computed once per material
 * object: key records are cached and never mutated, so the object stands for its bytes, and the
 * memo goes when the record does.
 */
import { createHmac } from 'node:crypto';
import type { KeyMaterial } from './model.js';

const LABEL = 'sealtrail key material id\0';

const memo = new WeakMap<KeyMaterial, { keyId: string; key: string; id: string }>();

export function keyMaterialId(keyId: string, material: KeyMaterial): string {
  const known = memo.get(material);
  if (known && known.keyId === keyId && known.key === material.key) return known.id;
  const id = createHmac('sha256', Buffer.from(material.key, 'base64')).update(LABEL + keyId).digest('hex');
  memo.set(material, { keyId, key: material.key, id });
  return id;
}
