/**
 * Classification: runs a write context's detectors and regex rules over the records and attaches
 * tags — span tags to ranges of string values, field tags (match_on_key rules) to whole fields,
 * and capsule tags. Overlapping spans are merged into one span carrying all their tags, so a read
 * rule decides each character of the text exactly once.
 *
 * A number is read as its literal text (a card number or a phone number sent as a JSON number is
 * still one), but cannot be partly redacted: its spans become one span over the whole text, with
 * all their tags. Booleans and null are not read.
 *
 * The detectors scan every string and number of the input in one pass each (scan.ts); the regex
 * rules, which are the context author's and may match anything, run on each value alone, on the
 * linear-time engine (patterns.ts).
 */
import { SealtrailError } from '../../../errors/index.js';
import { numberText, type DataRecord, type Field, type FieldSource, type Span } from '../records.js';
import { HOOK_VERSION, parseTag, UniqueTags, type Tag } from '../tags.js';
import type { RegexRule, TagTemplate, WriteContext } from '../write-context.js';
import { contextPattern } from '../patterns.js';
import { DETECTORS, type Detector } from './detectors.js';
import { detectInTexts, type Detected } from './scan.js';

export interface Classified {
  records: DataRecord[];
  capsuleTags: Tag[];
}

/** Receives each field that got tags or spans, in record then field order. */
export type TaggedFieldSink = (record: number, field: number, tags: readonly Tag[], spans: readonly Span[]) => void;

/** `$value` and `$0`..`$9`, replaced in one pass: a `$1` in the field value is data, not a group. */
const PLACEHOLDER = /\$(value|\d)/g;
const GROUP = /\$\d/;

function render(template: TagTemplate, match: RegExpMatchArray, fieldValue: string): Tag {
  let fromData = false;
  const value = template.value.replace(PLACEHOLDER, (_all, g: string) => {
    fromData = true;
    return g === 'value' ? fieldValue : match[Number(g)] ?? '';
  });
  // Reuses the caller-tag checks so a rendered value must fit the declared type.
  return { ...parseTag('a write-context rule tag', { name: template.name, value, type: template.type }, 'create'), from_data: fromData };
}

/**
 * One field's rendered tags. A template without `$0`..`$9` gives the same tag for every match in
 * the field, so it is rendered once and the tag shared: rendered per match, `$value` made a copy
 * of the whole value per match, each hashed whole (40,000 matches in a 160 KB value: 53 s).
 */
class FieldRenderer {
  private readonly byTemplate = new Map<TagTemplate, Tag>();
  constructor(private readonly fieldValue: string) {}

  render(template: TagTemplate, match: RegExpMatchArray): Tag {
    if (GROUP.test(template.value)) return render(template, match, this.fieldValue);
    let tag = this.byTemplate.get(template);
    if (!tag) this.byTemplate.set(template, (tag = render(template, match, this.fieldValue)));
    return tag;
  }
}

/** A number's spans as one span over its whole text, carrying all their tags. */
function wholeValueSpan(spans: Span[], length: number): Span[] {
  const merged = mergeOwnSpans(spans);
  if (merged.length === 0 || (merged.length === 1 && merged[0].start === 0 && merged[0].end === length)) return merged;
  const tags = new UniqueTags();
  for (const s of merged) for (const t of s.tags) tags.add(t);
  return [{ start: 0, end: length, tags: tags.list }];
}

/** Sorts spans and merges overlapping ones (tags united). Returns new spans; the input is kept. */
export function mergeSpans(spans: readonly Span[]): Span[] {
  const sorted = [...spans].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Array<{ start: number; end: number; tags: UniqueTags }> = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) {
      last.end = Math.max(last.end, s.end);
      for (const t of s.tags) last.tags.add(t);
    } else out.push({ start: s.start, end: s.end, tags: new UniqueTags(s.tags) });
  }
  return out.map(({ start, end, tags }) => ({ start, end, tags: tags.list }));
}

/**
 * mergeSpans for spans this module just built: a single span (most fields) is kept as it is, and
 * a list is copied only when two of its spans overlap. Span tag lists may be shared between
 * spans, so they are never changed in place.
 */
function mergeOwnSpans(spans: Span[]): Span[] {
  if (spans.length === 1 && spans[0].tags.length > 0) return spans;
  const list = spans.every((s) => s.tags.length > 0) ? spans : spans.filter((s) => s.tags.length > 0);
  if (list.length < 2) return list;
  list.sort((a, b) => a.start - b.start || b.end - a.end);
  for (let i = 1; i < list.length; i++) if (list[i].start < list[i - 1].end) return mergeSpans(list);
  return list;
}

interface CompiledRule extends RegexRule {
  re: RegExp;
  keyRe: RegExp;
  /** match_on_key: the match for each key seen, as a table repeats its keys on every row. */
  keyMatches: Map<string, RegExpExecArray | null>;
}

/** Classifies every field of `source` with `context`, handing tagged fields to `sink`; returns the capsule tags. */
export function classifyFields(source: FieldSource, context: WriteContext, sink: TaggedFieldSink): Tag[] {
  const detectors = context.detectors.map((d) => DETECTORS[d]);
  // One tag list per detector tag name: hits share it instead of allocating one each.
  const detectorTags = new Map<string, readonly Tag[]>();
  const detectorTag = (tagName: string, d: Detector): readonly Tag[] => {
    let tags = detectorTags.get(tagName);
    if (!tags) detectorTags.set(tagName, (tags = [{ name: tagName, value: '', type: 'unary', source: d.name, hook_version: HOOK_VERSION }]));
    return tags;
  };
  const rules: CompiledRule[] = context.rules.map((r, i) => {
    const where = `write context ${context.name}: rules[${i}].pattern`;
    return { ...r, re: contextPattern(where, r.pattern, 'g'), keyRe: contextPattern(where, r.pattern), keyMatches: new Map() };
  });
  const capsuleTags = new UniqueTags();
  if (rules.length > 0) checkRuleWork(source, rules, context.name);
  const strings = stringValues(source);
  const detected = detectInTexts(detectors, strings.texts, detectorTag);
  if (rules.length === 0) emitDetected(strings, detected, sink);
  else classifyWithRules(source, rules, strings, detected, sink, capsuleTags);
  return capsuleTags.list;
}

/**
 * What the rules' regular expressions may be run over. V8's linear-time engine (lib/linear-regex.ts)
 * takes time and memory in proportion to the pattern's length times the text's: ~20–110 ns and
 * ~20–80 bytes per unit here (an e-mail rule over 1 MiB: ~1 s and ~1.1 GB at once, outside the
 * heap). One match over one value may cost RULE_UNITS_PER_TEXT units (a few hundred MB at most),
 * the rules of one request RULE_UNITS_PER_REQUEST (a second or so); more is refused before any runs.
 */
export const RULE_UNITS_PER_TEXT = 1 << 22;
export const RULE_UNITS_PER_REQUEST = 1 << 25;

function checkRuleWork(source: FieldSource, rules: readonly CompiledRule[], contextName: string): void {
  const onValues = rules.filter((r) => !r.match_on_key).map((r) => r.pattern.length);
  const onKeys = rules.filter((r) => r.match_on_key).map((r) => r.pattern.length);
  const longest = (lengths: number[]) => Math.max(0, ...lengths);
  const sum = (lengths: number[]) => lengths.reduce((a, b) => a + b, 0);
  const [valueMax, valueSum, keyMax, keySum] = [longest(onValues), sum(onValues), longest(onKeys), sum(onKeys)];
  const keys = new Set<string>();
  let total = 0;
  const refuse = (what: string) => new SealtrailError('too_large', 'capsule_too_large',
    `write context ${contextName}: ${what} is more than its rules' regular expressions may scan (pattern length × text length at most ${RULE_UNITS_PER_TEXT} per value and ${RULE_UNITS_PER_REQUEST} per request): encapsulate less at once, or use shorter patterns or the built-in detectors`);
  for (let r = 0; r < source.records; r++) {
    const { keys: names, values } = source.fields(r);
    for (let f = 0; f < values.length; f++) {
      const value = values[f];
      if (valueMax > 0) {
        const text = typeof value === 'string' ? value : numberText(value);
        if (text !== undefined) {
          if (text.length * valueMax > RULE_UNITS_PER_TEXT) throw refuse(`a ${typeof value === 'string' ? 'string value' : 'number'} of ${text.length} characters`);
          total += text.length * valueSum;
        }
      }
      const key = names[f];
      if (keyMax > 0 && !keys.has(key)) {
        keys.add(key);
        if (key.length * keyMax > RULE_UNITS_PER_TEXT) throw refuse(`a field name of ${key.length} characters`);
        total += key.length * keySum;
      }
      if (total > RULE_UNITS_PER_REQUEST) throw refuse('the data');
    }
  }
}

/** Every string value and number's text, with where it sits, for the detectors' one pass over them all. */
interface StringValues {
  texts: string[];
  records: Int32Array;
  fields: Int32Array;
  /** 1 where the text is a number's. */
  numbers: Uint8Array;
}

function stringValues(source: FieldSource): StringValues {
  let total = 0;
  for (let r = 0; r < source.records; r++) total += source.fields(r).values.length;
  const out: StringValues = { texts: [], records: new Int32Array(total), fields: new Int32Array(total), numbers: new Uint8Array(total) };
  let n = 0;
  for (let r = 0; r < source.records; r++) {
    const { values } = source.fields(r);
    for (let f = 0; f < values.length; f++) {
      const v = values[f];
      if (typeof v === 'string') {
        out.texts.push(v);
        out.records[n] = r;
        out.fields[n++] = f;
      } else {
        const text = numberText(v);
        if (text === undefined) continue;
        out.texts.push(text);
        out.numbers[n] = 1;
        out.records[n] = r;
        out.fields[n++] = f;
      }
    }
  }
  return out;
}

/** Without regex rules only the detectors' hits tag anything. */
function emitDetected(strings: StringValues, detected: Detected, sink: TaggedFieldSink): void {
  for (let i = 0; i < strings.texts.length; i++) {
    const spans = detected.spansOf(i);
    if (spans) sink(strings.records[i], strings.fields[i], [], strings.numbers[i] ? wholeValueSpan(spans, strings.texts[i].length) : mergeOwnSpans(spans));
  }
}

function classifyWithRules(source: FieldSource, rules: readonly CompiledRule[], strings: StringValues, detected: Detected, sink: TaggedFieldSink, capsuleTags: UniqueTags): void {
  const addCapsuleTags = (rule: CompiledRule, m: RegExpMatchArray, field: FieldRenderer) => {
    for (const t of rule.capsule_tags) capsuleTags.add(field.render(t, m));
  };
  let next = 0;
  for (let r = 0; r < source.records; r++) {
    const { keys, values } = source.fields(r);
    for (let f = 0; f < values.length; f++) {
      const key = keys[f];
      const value = values[f];
      const fieldTags = new UniqueTags();
      const spans: Span[] = [];
      // The next scanned text is this value's when it is a string or a number (in the same order).
      const scanned = next < strings.texts.length && strings.records[next] === r && strings.fields[next] === f ? next : -1;
      const text = scanned >= 0 ? strings.texts[scanned] : value === null ? '' : String(value);
      const field = new FieldRenderer(text);
      for (const rule of rules) {
        if (rule.match_on_key) {
          let m = rule.keyMatches.get(key);
          if (m === undefined) rule.keyMatches.set(key, (m = rule.keyRe.exec(key)));
          if (!m) continue;
          for (const t of rule.span_tags) fieldTags.add(field.render(t, m));
          addCapsuleTags(rule, m, field);
          continue;
        }
        if (scanned < 0) continue;
        for (const m of text.matchAll(rule.re)) {
          // An empty match tags nothing and would loop forever on some engines; skip it.
          if (m[0] === '') continue;
          spans.push({ start: m.index!, end: m.index! + m[0].length, tags: rule.span_tags.map((t) => field.render(t, m)) });
          addCapsuleTags(rule, m, field);
        }
      }
      if (scanned >= 0) {
        const found = detected.spansOf(next++);
        if (found) spans.push(...found);
      }
      if (fieldTags.list.length > 0 || spans.length > 0) {
        sink(r, f, fieldTags.list, scanned >= 0 && strings.numbers[scanned] ? wholeValueSpan(spans, text.length) : mergeOwnSpans(spans));
      }
    }
  }
}

/** classifyFields over records in the internal form (as yet untagged), returning them with their tags. */
export function classify(records: DataRecord[], context: WriteContext): Classified {
  const out = records.map((record) => ({ tags: [...record.tags], fields: record.fields.map((f): Field => ({ key: f.key, value: f.value, tags: [], spans: [] })) }));
  const source: FieldSource = {
    records: records.length,
    fields: (r) => ({ keys: records[r].fields.map((f) => f.key), values: records[r].fields.map((f) => f.value) }),
  };
  const capsuleTags = classifyFields(source, context, (r, f, tags, spans) => {
    out[r].fields[f] = { ...out[r].fields[f], tags: [...tags], spans: [...spans] };
  });
  return { records: out, capsuleTags };
}
