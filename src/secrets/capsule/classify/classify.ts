/**
 * Classification: runs a write context's detectors and regex rules over the records and attaches
 * tags — span tags to ranges of string values, field tags (match_on_key rules) to whole fields,
 * and capsule tags. Overlapping spans are merged into one span carrying all their tags, so a read
 * rule decides each character of the text exactly once.
 */
import type { DataRecord, Field, Span } from '../records.js';
import { addTag, HOOK_VERSION, parseTag, type Tag } from '../tags.js';
import type { RegexRule, TagTemplate, WriteContext } from '../write-context.js';
import { DETECTORS } from './detectors.js';

export interface Classified {
  records: DataRecord[];
  capsuleTags: Tag[];
}

function render(template: TagTemplate, match: RegExpMatchArray, fieldValue: string): Tag {
  const value = template.value
    .replace(/\$value/g, () => fieldValue)
    .replace(/\$(\d)/g, (_all, g: string) => match[Number(g)] ?? '');
  // Reuses the caller-tag checks so a rendered value must fit the declared type.
  return parseTag('a write-context rule tag', { name: template.name, value, type: template.type }, 'create');
}

/** Sorts spans and merges overlapping ones (tags united). */
export function mergeSpans(spans: Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      for (const t of s.tags) addTag(last.tags, t);
    } else out.push({ start: s.start, end: s.end, tags: [...s.tags] });
  }
  return out;
}

/**
 * mergeSpans for spans this module just built and nobody else holds: sorted and merged in place
 * (the same order and result), without copying every span of a large table a second time.
 */
function mergeOwnSpans(spans: Span[]): Span[] {
  const list = spans.every((s) => s.tags.length > 0) ? spans : spans.filter((s) => s.tags.length > 0);
  if (list.length < 2) return list;
  list.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Span[] = [];
  for (const s of list) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      for (const t of s.tags) addTag(last.tags, t);
    } else out.push(s);
  }
  return out;
}

interface CompiledRule extends RegexRule {
  re: RegExp;
}

export function classify(records: DataRecord[], context: WriteContext): Classified {
  const detectors = context.detectors.map((d) => DETECTORS[d]);
  // One tag object per detector tag name: hits share it instead of allocating one each.
  const detectorTags = new Map<string, Tag>();
  const detectorTag = (tagName: string, source: string): Tag => {
    let tag = detectorTags.get(tagName);
    if (!tag) detectorTags.set(tagName, (tag = { name: tagName, value: '', type: 'unary', source, hook_version: HOOK_VERSION }));
    return tag;
  };
  const rules: CompiledRule[] = context.rules.map((r) => ({ ...r, re: new RegExp(r.pattern, 'g') }));
  const capsuleTags: Tag[] = [];
  const addCapsuleTags = (rule: CompiledRule, m: RegExpMatchArray, fieldValue: string) => {
    for (const t of rule.capsule_tags) addTag(capsuleTags, render(t, m, fieldValue));
  };

  const classifyField = (f: Field): Field => {
    const fieldTags = [...f.tags];
    const spans: Span[] = [];
    if (rules.length > 0) {
      const text = typeof f.value === 'string' ? f.value : f.value === null ? '' : String(f.value);
      for (const rule of rules) {
        if (rule.match_on_key) {
          const m = new RegExp(rule.pattern).exec(f.key);
          if (!m) continue;
          for (const t of rule.span_tags) addTag(fieldTags, render(t, m, text));
          addCapsuleTags(rule, m, text);
          continue;
        }
        if (typeof f.value !== 'string') continue;
        for (const m of f.value.matchAll(rule.re)) {
          // An empty match tags nothing and would loop forever on some engines; skip it.
          if (m[0] === '') continue;
          spans.push({ start: m.index!, end: m.index! + m[0].length, tags: rule.span_tags.map((t) => render(t, m, text)) });
          addCapsuleTags(rule, m, text);
        }
      }
    }
    const value = f.value;
    if (typeof value === 'string') {
      for (let i = 0; i < detectors.length; i++) {
        const d = detectors[i];
        const hits = d.find(value);
        for (let j = 0; j < hits.length; j++) {
          const hit = hits[j];
          spans.push({ start: hit.start, end: hit.end, tags: [detectorTag(hit.tagName, d.name)] });
        }
      }
    }
    return { key: f.key, value: f.value, tags: fieldTags, spans: mergeOwnSpans(spans) };
  };

  const out = records.map((record) => ({ tags: [...record.tags], fields: record.fields.map(classifyField) }));
  return { records: out, capsuleTags };
}
