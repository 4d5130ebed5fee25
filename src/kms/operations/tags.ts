/** Tag validation shared by CreateKey and TagResource (AWS's limits and reserved prefix). */
import { kmsError, validationError } from '../errors.js';
import type { Tag } from '../keys/model.js';
import { optObjectList, type AwsBody } from './input.js';

export function readTags(body: AwsBody, member = 'Tags'): Tag[] {
  const raw = optObjectList(body, member) ?? [];
  return raw.map((t, i) => {
    const key = t.TagKey;
    const value = t.TagValue;
    if (typeof key !== 'string') throw validationError([{ member: `tags.${i + 1}.member.tagKey`, value: null, constraint: 'Member must not be null' }]);
    if (typeof value !== 'string') throw validationError([{ member: `tags.${i + 1}.member.tagValue`, value: null, constraint: 'Member must not be null' }]);
    if (key.length < 1 || key.length > 128) throw validationError([{ member: `tags.${i + 1}.member.tagKey`, value: key, constraint: 'Member must have length less than or equal to 128' }]);
    if (value.length > 256) throw validationError([{ member: `tags.${i + 1}.member.tagValue`, value, constraint: 'Member must have length less than or equal to 256' }]);
    if (key.toLowerCase().startsWith('aws:')) throw kmsError('TagException', 'Tags beginning with aws: are reserved');
    return { TagKey: key, TagValue: value };
  });
}

/** Later tags replace earlier ones with the same key, as TagResource does. */
export function mergeTags(existing: readonly Tag[], added: readonly Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.TagKey, t]));
  for (const t of added) byKey.set(t.TagKey, t);
  if (byKey.size > 50) throw kmsError('TagException', 'A key can have at most 50 tags');
  return [...byKey.values()];
}
