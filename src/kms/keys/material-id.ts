/**
 * The key material id CloudTrail records (`additionalEventData.keyMaterialId`): 64 hex digits that
 * name one version of a key's material, stable for its life. AWS derives it from the key id and
 * the material without saying how; here it is an HMAC-SHA-256 keyed with the material over the
 * key id, so it names the material without revealing anything about it.
 */
import { createHmac } from 'node:crypto';
import type { KeyMaterial } from './model.js';

const LABEL = 'sealtrail key material id\0';

export function keyMaterialId(keyId: string, material: KeyMaterial): string {
  return createHmac('sha256', Buffer.from(material.key, 'base64')).update(LABEL + keyId).digest('hex');
}
