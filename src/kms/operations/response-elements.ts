/**
 * CloudTrail's `responseElements`: null for cryptographic and read operations (as CloudTrail
 * records them); for the management operations whose CloudTrail records carry a response, those
 * members in lowerCamelCase with dates in CloudTrail's "Jan 5, 2023, 3:10:39 PM" form (UTC).
 */
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function cloudTrailDate(epochSeconds: number): string {
  const d = new Date(Math.round(epochSeconds * 1000));
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${h % 12 === 0 ? 12 : h % 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} ${h < 12 ? 'AM' : 'PM'}`;
}

const DATE_MEMBERS = new Set(['CreationDate', 'DeletionDate', 'ValidTo']);
const lowerFirst = (s: string) => s[0].toLowerCase() + s.slice(1);

function camel(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) out[lowerFirst(k)] = DATE_MEMBERS.has(k) && typeof v === 'number' ? cloudTrailDate(v) : v;
  return out;
}

export type ResponseElements = (body: Record<string, unknown>) => Record<string, unknown>;

/** CreateKey: the new key's metadata. */
export const keyMetadataElements: ResponseElements = (b) => ({ keyMetadata: camel(b.KeyMetadata as Record<string, unknown>) });
/** ScheduleKeyDeletion, CancelKeyDeletion, RotateKeyOnDemand: the whole (small, non-secret) response. */
export const wholeResponseElements: ResponseElements = (b) => camel(b);
