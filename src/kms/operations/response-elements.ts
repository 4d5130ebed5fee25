/**
 * CloudTrail's `responseElements`: null for cryptographic and read operations (as CloudTrail
 * records them); for the management operations whose CloudTrail records carry a response, those
 * members in lowerCamelCase (KeyMetadata's `AWSAccountId` keeps its name, as AWS shows it) with
 * dates in CloudTrail's "Jan 5, 2023, 3:10:39 PM" form (UTC).
 */
import { cloudTrailDate } from '../../lib/time.js';

export { cloudTrailDate };

const DATE_MEMBERS = new Set(['CreationDate', 'DeletionDate', 'ValidTo']);
const lowerFirst = (s: string) => (s === 'AWSAccountId' ? s : s[0].toLowerCase() + s.slice(1));

function camel(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[lowerFirst(k)] = DATE_MEMBERS.has(k) && typeof v === 'number' ? cloudTrailDate(v) : v;
  return out;
}

/** From the call's response and the key ARNs it resolved, in order. */
export type ResponseElements = (body: Record<string, unknown>, resources: readonly string[]) => Record<string, unknown>;

/**
 * CreateKey: the new key's metadata, in the form of CloudTrail's documented CreateKey record (which
 * has no key material id: the event names the material in additionalEventData where it is used).
 */
export const keyMetadataElements: ResponseElements = (b) => {
  const { CurrentKeyMaterialId: _material, ...metadata } = b.KeyMetadata as Record<string, unknown>;
  return { keyMetadata: camel(metadata) };
};
/** CancelKeyDeletion, RotateKeyOnDemand: the whole (small, non-secret) response. */
export const wholeResponseElements: ResponseElements = (b) => camel(b);
/** ScheduleKeyDeletion: the key, its state and deletion date (AWS leaves the window out). */
export const deletionElements: ResponseElements = (b) => camel({ KeyId: b.KeyId, KeyState: b.KeyState, DeletionDate: b.DeletionDate });
/**
 * Operations whose response is empty but whose CloudTrail record names the key they changed
 * (EnableKey, DisableKey, the alias operations, EnableKeyRotation, UntagResource): the ARN of the
 * last key the call resolved, which for UpdateAlias is the alias's new target.
 */
export const affectedKeyElements: ResponseElements = (_b, resources) => (resources.length > 0 ? { keyId: resources[resources.length - 1] } : {});
