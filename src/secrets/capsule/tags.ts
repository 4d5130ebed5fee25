/**
 * Tags: what classification attaches to a capsule, a record, a field or a span of text.
 * Detector tags are unary (no value) on purpose: their value would be the personal data itself,
 * and tag values appear in the access log's summaries; a rule's value rendered from the data is
 * marked `from_data` and shown there as its token.
 */
import { invalid } from '../../errors/index.js';
import { stringifyJson } from '../../lib/json-text.js';
import { isJsonObject } from '../../lib/safe-object.js';

export const TAG_TYPES = ['unary', 'string', 'number', 'boolean', 'date'] as const;
export type TagType = (typeof TAG_TYPES)[number];

export const HOOK_VERSION = '1.0.0';
export const TAG_PREFIX = 'tag.sealtrail.io/';

export interface Tag {
  name: string;
  value: string;
  type: TagType;
  /** A detector name (`email`), `create` (a write-context rule) or `manual` (given by the caller). */
  source: string;
  hook_version: string;
  /**
   * On a rule's tag (`create`): whether the rule rendered the value from the data (`$value`,
   * `$0`–`$9`). Such a value is the data itself, so summaries, logs and the journal show its
   * token, never the value (tag-summary.ts).
   */
  from_data?: boolean;
}

/**
 * Whether a tag's value may repeat the data. A rule's tag in a capsule sealed before `from_data`
 * existed does not say: with a value, it is taken to.
 */
export function valueFromData(tag: Tag): boolean {
  return tag.from_data ?? (tag.source === 'create' && tag.value !== '');
}

const NAME_RE = /^[a-z0-9][a-z0-9.-]*(\/[A-Za-z0-9_.-]+)+$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Identity of a tag for counting: name, value, type and source. */
export function tagKey(tag: Tag): string {
  // NUL cannot occur in a tag name, type or source, so the join is unambiguous (and cheap).
  return `${tag.name}\0${tag.type}\0${tag.source}\0${tag.hook_version}\0${tag.from_data === true ? 'd' : ''}\0${tag.value}`;
}

/**
 * Tags without duplicates, in the order first seen. The keys seen are kept in a set: comparing
 * each new tag with every earlier one made 20,000 distinct tags (a caller's list, or a rule's `$0`
 * on each match) cost 27 s of one request.
 */
export class UniqueTags {
  readonly list: Tag[] = [];
  private readonly keys = new Set<string>();
  // Classification shares one object across a field's hits: most repeats end here, unhashed.
  private readonly objects = new Set<Tag>();

  constructor(tags: Iterable<Tag> = []) {
    for (const t of tags) this.add(t);
  }

  add(tag: Tag): void {
    if (this.objects.has(tag)) return;
    this.objects.add(tag);
    const key = tagKey(tag);
    if (this.keys.has(key)) return;
    this.keys.add(key);
    this.list.push(tag);
  }
}

function checkValue(where: string, type: TagType, value: string): void {
  const ok =
    type === 'unary' ? value === ''
    : type === 'number' ? value.trim() !== '' && Number.isFinite(Number(value))
    : type === 'boolean' ? value === 'true' || value === 'false'
    : type === 'date' ? DATE_RE.test(value)
    : true;
  if (!ok) throw invalid(`${where}: value does not fit tag type "${type}"`, 'capsule_invalid_tag');
}

export function checkTagName(where: string, name: unknown): string {
  if (typeof name !== 'string' || !NAME_RE.test(name) || name.length > 256) {
    throw invalid(`${where}: tag name must look like "tag.example.com/group/name"`, 'capsule_invalid_tag');
  }
  return name;
}

export function parseTagType(where: string, raw: unknown, fallback: TagType): TagType {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== 'string' || !(TAG_TYPES as readonly string[]).includes(raw)) {
    throw invalid(`${where}: tag type must be one of ${TAG_TYPES.join(', ')}`, 'capsule_invalid_tag');
  }
  return raw as TagType;
}

/**
 * A tag given by the caller: `{name, value?, type?}`. The type defaults to unary without a value
 * and string with one; non-string values are accepted as their JSON text (`3` → "3").
 */
export function parseTag(where: string, raw: unknown, source: string): Tag {
  if (typeof raw === 'string') raw = { name: raw };
  if (!isJsonObject(raw)) throw invalid(`${where}: a tag is an object {name, value?, type?}`, 'capsule_invalid_tag');
  const r = raw as Record<string, unknown>;
  const name = checkTagName(where, r.name);
  const value = r.value === undefined || r.value === null ? '' : typeof r.value === 'string' ? r.value : stringifyJson(r.value);
  const type = parseTagType(where, r.type, value === '' ? 'unary' : 'string');
  checkValue(where, type, value);
  return { name, value, type, source, hook_version: HOOK_VERSION };
}

export function parseTagList(where: string, raw: unknown, source: string): Tag[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw invalid(`${where} must be a list of tags`, 'capsule_invalid_tag');
  const out = new UniqueTags();
  raw.forEach((t, i) => out.add(parseTag(`${where}[${i}]`, t, source)));
  return out.list;
}
