/**
 * Applies a read context to an opened capsule. Rules are decided for three kinds of unit, each
 * seeing its own tags plus those of everything enclosing it:
 *   record (record + capsule tags) — only DenyRecord / DenyCapsule act at this level;
 *   field  (field tags, when it has any) — Redact / Tokenize replace the whole value;
 *   span   (span tags) — Redact / Tokenize replace that range of the text.
 * DenyRecord at any level drops the record; DenyCapsule at any level refuses the whole load.
 * Redacted text becomes the marker `{redacted}`.
 *
 * Only the fields in the body's index are visited; every other value is returned as parsed. A
 * decision depends on nothing but the tag sets in scope (and the read parameters), so each
 * combination is decided once per load. The parsed data is this load's own: changed values are
 * written into it in place.
 */
import type { BodyData, OpenedBody } from './body.js';
import { integrityFailure } from './format.js';
import { stringifyJson } from '../../lib/json-text.js';
import { setOwn } from '../../lib/safe-object.js';
import type { ReadContext, ReadRule } from './read-context.js';
import { decide } from './read-rules.js';
import type { Scalar } from './records.js';
import type { Tag } from './tags.js';
import { tokenizer } from './tokenize.js';

export const REDACTED = '{redacted}';

export interface ReadOutcome {
  denied: boolean;
  /** `{data}`, `{records}` or `{table}`: the caller's shape. */
  output: Record<string, unknown>;
  returnedRecords: number;
  filteredRecords: number;
  /** Occurrences of each tag by what happened to what it tags. */
  allowed: Map<Tag, number>;
  redacted: Map<Tag, number>;
  tokenized: Map<Tag, number>;
}

const ALLOWED = 0;
const REDACT = 1;
const TOKENIZE = 2;

const bucketOf = (rule: ReadRule | undefined) => (rule?.effect === 'Redact' ? REDACT : rule?.effect === 'Tokenize' ? TOKENIZE : ALLOWED);
const transforms = (rule: ReadRule | undefined): rule is ReadRule => rule?.effect === 'Redact' || rule?.effect === 'Tokenize';
const denies = (rule: ReadRule | undefined) => rule?.effect === 'DenyRecord' || rule?.effect === 'DenyCapsule';
const unreadable = () => integrityFailure('unreadable capsule body');

/** Reads and writes the values of one record of the data by field number. */
interface RecordAccess {
  count: number;
  fieldCount(record: number): number;
  get(record: number, field: number): Scalar;
  set(record: number, field: number, value: Scalar): void;
  /** The output with only the kept records (all, when none was dropped). */
  output(kept: readonly number[] | undefined): Record<string, unknown>;
}

function access(data: BodyData): RecordAccess {
  if (data.kind === 'text') {
    let text = data.text;
    return {
      count: 1,
      fieldCount: () => 1,
      get: () => text,
      set: (_r, _f, value) => { text = value as string; },
      output: (kept) => ({ data: kept && kept.length === 0 ? '' : text }),
    };
  }
  if (data.kind === 'table') {
    const { columns, rows } = data;
    return {
      count: rows.length,
      fieldCount: (r) => rows[r].length,
      get: (r, f) => rows[r][f],
      set: (r, f, value) => { rows[r][f] = value; },
      output: (kept) => ({ table: { columns, rows: kept ? kept.map((r) => rows[r]) : rows } }),
    };
  }
  const { records } = data;
  // Keys of the record last asked for: its fields are visited together.
  let keysOf = -1;
  let keys: string[] = [];
  const key = (r: number, f: number) => {
    if (keysOf !== r) {
      keys = Object.keys(records[r]);
      keysOf = r;
    }
    return keys[f];
  };
  return {
    count: records.length,
    fieldCount: (r) => (key(r, 0), keys.length),
    get: (r, f) => records[r][key(r, f)],
    set: (r, f, value) => setOwn(records[r], key(r, f), value),
    output: (kept) => ({ records: kept ? kept.map((r) => records[r]) : records }),
  };
}

export function applyReadContext(
  body: OpenedBody,
  context: ReadContext,
  parameters: Readonly<Record<string, string>>,
  tokenKey: Uint8Array,
): ReadOutcome {
  const { tagSets, index } = body;
  const rules = context.rules;
  const data = access(body.data);
  const setCount = tagSets.length;
  const capsuleTags = tagSets[body.capsuleSet];

  // Decisions by record set, then by (field set, span set + 1; 0 for the field itself), -1 for
  // the record itself; null is "no rule matches" (Allow), undefined not decided yet.
  const memo = new Map<number, Map<number, ReadRule | null>>();
  const memoFor = (recordSet: number) => {
    let byScope = memo.get(recordSet);
    if (!byScope) memo.set(recordSet, (byScope = new Map()));
    return byScope;
  };
  const decideScope = (byScope: Map<number, ReadRule | null>, recordSet: number, fieldSet: number, spanSetPlus1: number): ReadRule | undefined => {
    const key = fieldSet < 0 ? -1 : fieldSet * (setCount + 1) + spanSetPlus1;
    let rule = byScope.get(key);
    if (rule === undefined) {
      const scope: Tag[] = [];
      if (spanSetPlus1 > 0) scope.push(...tagSets[spanSetPlus1 - 1]);
      if (fieldSet >= 0) scope.push(...tagSets[fieldSet]);
      scope.push(...tagSets[recordSet], ...capsuleTags);
      rule = decide(rules, scope, parameters) ?? null;
      byScope.set(key, rule);
    }
    return rule ?? undefined;
  };
  const token = tokenizer(tokenKey);
  const transform = (rule: ReadRule, value: string) => (rule.effect === 'Redact' ? REDACTED : token(rule.token_format, value));
  const setOf = (n: number) => {
    if (n >= setCount) throw unreadable();
    return n;
  };

  const counts = [new Float64Array(setCount), new Float64Array(setCount), new Float64Array(setCount)];
  // One record's effects (bucket and tag set pairs; fields and their new values), applied only if
  // nothing in it denies the record. Arrays are reused with their own lengths.
  const pendingCounts: number[] = [];
  const pendingFields: number[] = [];
  const pendingValues: Scalar[] = [];
  let countsN = 0;
  let fieldsN = 0;
  const spans: number[] = [];
  const spanRules: Array<ReadRule | undefined> = [];
  let kept: number[] | undefined;
  let filtered = 0;

  let entryRecord = index.done ? Infinity : index.read();
  for (let r = 0; r < data.count; r++) {
    const recordSet = body.recordSets.get(r) ?? 0;
    const byScope = memoFor(recordSet);
    const recordRule = decideScope(byScope, recordSet, -1, 0);
    if (recordRule?.effect === 'DenyCapsule') return deniedOutcome();
    let denied = recordRule?.effect === 'DenyRecord';
    countsN = 0;
    fieldsN = 0;
    while (entryRecord === r) {
      const field = index.read();
      const fieldSet = setOf(index.read());
      const spanCount = index.read();
      let spansN = 0;
      let end = 0;
      for (let i = 0; i < spanCount; i++) {
        const start = end + index.read();
        end = start + index.read();
        spans[spansN++] = start;
        spans[spansN++] = end;
        spans[spansN++] = setOf(index.read());
      }
      entryRecord = index.done ? Infinity : r + index.read();
      if (denied) continue;
      if (field >= data.fieldCount(r)) throw unreadable();

      const fieldRule = fieldSet > 0 ? decideScope(byScope, recordSet, fieldSet, 0) : undefined;
      if (denies(fieldRule)) {
        if (fieldRule!.effect === 'DenyCapsule') return deniedOutcome();
        denied = true;
        continue;
      }
      for (let i = 0; i < spansN && !denied; i += 3) {
        const rule = decideScope(byScope, recordSet, fieldSet, spans[i + 2] + 1);
        if (rule?.effect === 'DenyCapsule') return deniedOutcome();
        if (rule?.effect === 'DenyRecord') denied = true;
        spanRules[i / 3] = rule;
      }
      if (denied) continue;

      const value = data.get(r, field);
      const fieldBucket = bucketOf(fieldRule);
      pendingCounts[countsN++] = fieldBucket;
      pendingCounts[countsN++] = fieldSet;
      if (transforms(fieldRule)) {
        // The whole value is replaced, so its spans share the field's fate.
        for (let i = 0; i < spansN; i += 3) {
          pendingCounts[countsN++] = fieldBucket;
          pendingCounts[countsN++] = spans[i + 2];
        }
        pendingFields[fieldsN] = field;
        pendingValues[fieldsN++] = transform(fieldRule, typeof value === 'string' ? value : stringifyJson(value));
        continue;
      }
      if (typeof value !== 'string' || spansN === 0) continue;
      let out = '';
      let at = 0;
      let changed = false;
      for (let i = 0; i < spansN; i += 3) {
        const rule = spanRules[i / 3];
        pendingCounts[countsN++] = bucketOf(rule);
        pendingCounts[countsN++] = spans[i + 2];
        if (!transforms(rule)) continue;
        if (spans[i + 1] > value.length) throw unreadable();
        out += value.slice(at, spans[i]) + transform(rule, value.slice(spans[i], spans[i + 1]));
        at = spans[i + 1];
        changed = true;
      }
      if (changed) {
        pendingFields[fieldsN] = field;
        pendingValues[fieldsN++] = out + value.slice(at);
      }
    }
    if (denied) {
      filtered++;
      kept ??= Array.from({ length: r }, (_, i) => i);
      continue;
    }
    kept?.push(r);
    counts[ALLOWED][recordSet]++;
    for (let i = 0; i < countsN; i += 2) counts[pendingCounts[i]][pendingCounts[i + 1]]++;
    for (let i = 0; i < fieldsN; i++) data.set(r, pendingFields[i], pendingValues[i]);
  }
  if (entryRecord !== Infinity) throw unreadable();
  counts[ALLOWED][body.capsuleSet]++;

  const byTag = (setCounts: Float64Array) => {
    const out = new Map<Tag, number>();
    for (let s = 1; s < setCount; s++) {
      if (setCounts[s] === 0) continue;
      for (const tag of tagSets[s]) out.set(tag, (out.get(tag) ?? 0) + setCounts[s]);
    }
    return out;
  };
  return {
    denied: false,
    output: data.output(kept),
    returnedRecords: data.count - filtered,
    filteredRecords: filtered,
    allowed: byTag(counts[ALLOWED]),
    redacted: byTag(counts[REDACT]),
    tokenized: byTag(counts[TOKENIZE]),
  };
}

function deniedOutcome(): ReadOutcome {
  return { denied: true, output: {}, returnedRecords: 0, filteredRecords: 0, allowed: new Map(), redacted: new Map(), tokenized: new Map() };
}
