/** Tag validation shared by CreateKey, TagResource and UntagResource (AWS's limits and reserved prefix). */
import { kmsError, validationError } from '../errors.js';
import type { Tag } from '../keys/model.js';
import { optObjectList, optStringList, type AwsBody } from './input.js';

/**
 * The most tags a key holds, and so the most a call may set or remove: tags are condition values
 * (`aws:RequestTag/<key>`, `aws:TagKeys`) matched against key policy wildcards, so their number
 * bounds what one call costs as the encryption context's size does (crypto-common.ts).
 */
const MAX_TAGS = 50;
const MAX_TAG_KEY = 128;

const tooMany = () => kmsError('TagException', `A key can have at most ${MAX_TAGS} tags`);

export function readTags(body: AwsBody, member = 'Tags'): Tag[] {
  const raw = optObjectList(body, member) ?? [];
  if (raw.length > MAX_TAGS) throw tooMany();
  return raw.map((t, i) => {
    const key = t.TagKey;
    const value = t.TagValue;
    if (typeof key !== 'string') throw validationError([{ member: `tags.${i + 1}.member.tagKey`, value: null, constraint: 'Member must not be null' }]);
    if (typeof value !== 'string') throw validationError([{ member: `tags.${i + 1}.member.tagValue`, value: null, constraint: 'Member must not be null' }]);
    checkTagKey(key, `tags.${i + 1}.member.tagKey`);
    if (value.length > 256) throw validationError([{ member: `tags.${i + 1}.member.tagValue`, value, constraint: 'Member must have length less than or equal to 256' }]);
    if (key.toLowerCase().startsWith('aws:')) throw kmsError('TagException', 'Tags beginning with aws: are reserved');
    return { TagKey: key, TagValue: value };
  });
}

function checkTagKey(key: string, member: string): void {
  if (key.length < 1) throw validationError([{ member, value: key, constraint: 'Member must have length greater than or equal to 1' }]);
  if (key.length > MAX_TAG_KEY) throw validationError([{ member, value: key, constraint: `Member must have length less than or equal to ${MAX_TAG_KEY}` }]);
}

/** UntagResource's TagKeys: each a tag key, at most as many as a key can have. */
export function readTagKeys(body: AwsBody): string[] {
  const keys = optStringList(body, 'TagKeys');
  if (!keys) throw validationError([{ member: 'tagKeys', value: null, constraint: 'Member must not be null' }]);
  if (keys.length > MAX_TAGS) throw tooMany();
  keys.forEach((key, i) => checkTagKey(key, `tagKeys.${i + 1}.member`));
  return keys;
}

/** Later tags replace earlier ones with the same key, as TagResource does. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.TagKey, t]));
  for (const t of added) byKey.set(t.TagKey, t);
  if (byKey.size > MAX_TAGS) throw tooMany();
  return [...byKey.values()];
}
