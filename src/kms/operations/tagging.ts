/** TagResource, UntagResource, ListResourceTags. */
import { kmsError, validationError } from '../errors.js';
import type { Tag } from '../keys/model.js';
import { pairConditions, type ConditionValue } from '../policy/index.js';
import type { OperationHandler } from './context.js';
import { reqString } from './input.js';
import { authorize, findKey, requireNotPendingDeletion } from './key-access.js';
import { readPage } from './paging.js';
import { mergeTags, readTagKeys, readTags } from './tags.js';

/** `aws:RequestTag/<key>` and `aws:TagKeys`: the tags a call sets, so a policy can keep some of them fixed. */
function requestTagConditions(tags: readonly Tag[]): Record<string, ConditionValue> {
  const out = pairConditions('aws:requesttag/', tags.map((t) => [t.TagKey, t.TagValue] as const));
  out['aws:tagkeys'] = tags.map((t) => t.TagKey);
  return out;
}

export const tagResource: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  const tags = readTags(call.body);
  if (tags.length === 0) throw validationError([{ member: 'tags', value: null, constraint: 'Member must not be null' }]);
  authorize(svc, call, key, 'kms:TagResource', requestTagConditions(tags));
  requireNotPendingDeletion(svc, key);
  await svc.keys.update(key.keyId, (cur) => ({ ...cur, tags: mergeTags(cur.tags, tags) }));
  return {};
};

export const untagResource: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  const remove = readTagKeys(call.body);
  authorize(svc, call, key, 'kms:UntagResource', { 'aws:tagkeys': remove });
  requireNotPendingDeletion(svc, key);
  await svc.keys.update(key.keyId, (cur) => ({ ...cur, tags: cur.tags.filter((t) => !remove.includes(t.TagKey)) }));
  return {};
};

export const listResourceTags: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  const { limit, marker } = readPage(call.body, 50, 50);
  authorize(svc, call, key, 'kms:ListResourceTags');
  // Tags in key order, and a marker naming the last key given: a page resumes after it even when
  // tags were added or removed in between (an offset would skip live tags), as ListKeys resumes.
  const after = marker === undefined ? undefined : decodeTagMarker(marker);
  const sorted = [...key.tags].sort((a, b) => (a.TagKey < b.TagKey ? -1 : a.TagKey > b.TagKey ? 1 : 0));
  const rest = after === undefined ? sorted : sorted.filter((t) => t.TagKey > after);
  const page = rest.slice(0, limit);
  const out: Record<string, unknown> = { Tags: page, Truncated: rest.length > limit };
  if (out.Truncated) out.NextMarker = TAG_MARKER_PREFIX + Buffer.from(page.at(-1)!.TagKey, 'utf8').toString('base64url');
  return out;
};

const TAG_MARKER_PREFIX = 'tag.';

function decodeTagMarker(marker: string): string {
  if (!marker.startsWith(TAG_MARKER_PREFIX) || !/^[A-Za-z0-9_-]+$/.test(marker.slice(TAG_MARKER_PREFIX.length))) throw kmsError('InvalidMarkerException', 'Invalid marker');
  return Buffer.from(marker.slice(TAG_MARKER_PREFIX.length), 'base64url').toString('utf8');
}
