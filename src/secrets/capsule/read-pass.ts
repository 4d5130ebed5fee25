/**
 * One load's walk of a capsule body's index of tagged fields (body.ts), record by record. A
 * decision depends on nothing but the tag sets in scope (and the read parameters), so each
 * combination is decided once per load. A record's effects — the values it changes and the tags it
 * counts — stay pending until nothing in it denies it.
 *
 * The work per field is in methods of its own (not one loop body), so that it is compiled and
 * optimized after a few hundred fields rather than only once a whole load has run.
 */
import type { RecordAccess } from './apply-read.js';
import type { OpenedBody } from './body.js';
import { integrityFailure } from './format.js';
import { stringifyJson } from '../../lib/json-text.js';
import type { ReadRule } from './read-context.js';
import { RuleMatcher } from './read-rules.js';
import { numberText, type Scalar } from './records.js';
import type { Tag } from './tags.js';
import type { Tokenizer } from './tokenize.js';
import type { VarintReader } from './varint.js';

/** What redacted text becomes. */
export const REDACTED = '{redacted}';

/** Buckets of the access log's tag summaries. */
export const ALLOWED = 0;
export const REDACT = 1;
export const TOKENIZE = 2;

/** What a record has come to so far. */
export const KEEP = 0;
export const DENY_RECORD = 1;
export const DENY_CAPSULE = 2;

const bucketOf = (rule: ReadRule | undefined) => (rule?.effect === 'Redact' ? REDACT : rule?.effect === 'Tokenize' ? TOKENIZE : ALLOWED);
const transforms = (rule: ReadRule | undefined): rule is ReadRule => rule?.effect === 'Redact' || rule?.effect === 'Tokenize';
const statusOf = (rule: ReadRule | undefined) => (rule?.effect === 'DenyCapsule' ? DENY_CAPSULE : rule?.effect === 'DenyRecord' ? DENY_RECORD : KEEP);
const unreadable = () => integrityFailure('unreadable capsule body');

export class ReadPass {
  /** Occurrences per tag set, by bucket (committed records only). */
  readonly counts: Float64Array[];
  private readonly tagSets: Tag[][];
  private readonly capsuleSet: number;
  private readonly matcher: RuleMatcher;
  private readonly index: VarintReader;
  // Decisions by record set, then by (field set, span set + 1; 0 for the field itself), -1 for
  // the record itself; null is "no rule matches" (Allow), undefined not decided yet.
  private readonly memo = new Map<number, Map<number, ReadRule | null>>();
  private byScope = new Map<number, ReadRule | null>();
  private recordSet = -1;
  // The current record's pending effects, in arrays reused with their own lengths.
  private readonly pendingCounts: number[] = [];
  private readonly pendingFields: number[] = [];
  private readonly pendingValues: Scalar[] = [];
  private countsN = 0;
  private fieldsN = 0;
  // The current field's spans (start, end, tag set) and their rules.
  private readonly spans: number[] = [];
  private readonly spanRules: Array<ReadRule | undefined> = [];
  private spansN = 0;

  constructor(
    body: OpenedBody,
    rules: readonly ReadRule[],
    parameters: Readonly<Record<string, string>>,
    private readonly tokens: Tokenizer,
    private readonly data: RecordAccess,
  ) {
    this.tagSets = body.tagSets;
    this.capsuleSet = body.capsuleSet;
    this.matcher = new RuleMatcher(rules, body.tagSets, parameters);
    this.index = body.index;
    const sets = body.tagSets.length;
    this.counts = [new Float64Array(sets), new Float64Array(sets), new Float64Array(sets)];
  }

  private decision(fieldSet: number, spanSetPlus1: number): ReadRule | undefined {
    const key = fieldSet < 0 ? -1 : fieldSet * (this.tagSets.length + 1) + spanSetPlus1;
    let rule = this.byScope.get(key);
    if (rule === undefined) {
      const scope = [this.recordSet, this.capsuleSet];
      if (fieldSet >= 0) scope.push(fieldSet);
      if (spanSetPlus1 > 0) scope.push(spanSetPlus1 - 1);
      rule = this.matcher.decide(scope) ?? null;
      this.byScope.set(key, rule);
    }
    return rule ?? undefined;
  }

  private setOf(n: number): number {
    if (n >= this.tagSets.length) throw unreadable();
    return n;
  }

  /** A new record with these record tags: its own decision. */
  startRecord(recordSet: number): number {
    if (recordSet !== this.recordSet) {
      let byScope = this.memo.get(recordSet);
      if (!byScope) this.memo.set(recordSet, (byScope = new Map()));
      this.byScope = byScope;
      this.recordSet = recordSet;
    }
    this.countsN = 0;
    this.fieldsN = 0;
    return statusOf(this.decision(-1, 0));
  }

  /** Reads the record's next tagged field from the index; decides and stages its effects unless the record is denied. */
  entry(record: number, status: number): number {
    const index = this.index;
    const field = index.read();
    const fieldSet = this.setOf(index.read());
    const spanCount = index.read();
    const spans = this.spans;
    let n = 0;
    let end = 0;
    for (let i = 0; i < spanCount; i++) {
      const start = end + index.read();
      end = start + index.read();
      spans[n++] = start;
      spans[n++] = end;
      spans[n++] = this.setOf(index.read());
    }
    this.spansN = n;
    if (status !== KEEP) return status;
    if (field >= this.data.fieldCount(record)) throw unreadable();
    const fieldRule = fieldSet > 0 ? this.decision(fieldSet, 0) : undefined;
    const fieldStatus = statusOf(fieldRule);
    if (fieldStatus !== KEEP) return fieldStatus;
    for (let i = 0; i < n; i += 3) {
      const rule = this.decision(fieldSet, spans[i + 2] + 1);
      const spanStatus = statusOf(rule);
      if (spanStatus !== KEEP) return spanStatus;
      this.spanRules[i / 3] = rule;
    }
    this.stage(field, fieldSet, fieldRule, this.data.get(record, field));
    return KEEP;
  }

  /** The value as a Redact or Tokenize rule leaves it. */
  private transform(rule: ReadRule, value: string): string {
    return rule.effect === 'Redact' ? REDACTED : this.tokens.token(rule.token_format, value);
  }

  private count(bucket: number, set: number): void {
    this.pendingCounts[this.countsN++] = bucket;
    this.pendingCounts[this.countsN++] = set;
  }

  private change(field: number, value: Scalar): void {
    this.pendingFields[this.fieldsN] = field;
    this.pendingValues[this.fieldsN++] = value;
  }

  /** The decided field's effects: its tags counted and its new value, if any. */
  private stage(field: number, fieldSet: number, fieldRule: ReadRule | undefined, value: Scalar): void {
    if (typeof value !== 'string') {
      this.stageWhole(field, fieldSet, fieldRule, value);
      return;
    }
    const spans = this.spans;
    const n = this.spansN;
    // Spans are sorted, and the last one ends within the value.
    if (n > 0 && spans[n - 2] > value.length) throw unreadable();
    const fieldBucket = bucketOf(fieldRule);
    this.count(fieldBucket, fieldSet);
    if (transforms(fieldRule)) {
      // The whole value is replaced, so its spans share the field's fate.
      for (let i = 0; i < n; i += 3) this.count(fieldBucket, spans[i + 2]);
      this.change(field, this.transform(fieldRule, value));
      return;
    }
    if (n === 0) return;
    let out = '';
    let at = 0;
    let changed = false;
    for (let i = 0; i < n; i += 3) {
      const rule = this.spanRules[i / 3];
      this.count(bucketOf(rule), spans[i + 2]);
      if (!transforms(rule)) continue;
      out += value.slice(at, spans[i]) + this.transform(rule, value.slice(spans[i], spans[i + 1]));
      at = spans[i + 1];
      changed = true;
    }
    if (changed) this.change(field, out + value.slice(at));
  }

  /**
   * stage for a value that is not a string. Only a number has a span, one over its whole literal
   * text (classify.ts): it cannot be partly replaced, so its span's rule acts on the whole value,
   * as on a string tagged from end to end. A value left alone keeps its literal text.
   */
  private stageWhole(field: number, fieldSet: number, fieldRule: ReadRule | undefined, value: Exclude<Scalar, string>): void {
    const n = this.spansN;
    const text = n > 0 ? numberText(value) : undefined;
    if (n > 0 && (n !== 3 || text === undefined || this.spans[0] !== 0 || this.spans[1] !== text.length)) throw unreadable();
    const fieldBucket = bucketOf(fieldRule);
    this.count(fieldBucket, fieldSet);
    if (transforms(fieldRule)) {
      if (n > 0) this.count(fieldBucket, this.spans[2]);
      this.change(field, this.transform(fieldRule, text ?? stringifyJson(value)));
      return;
    }
    if (n === 0) return;
    const rule = this.spanRules[0];
    this.count(bucketOf(rule), this.spans[2]);
    if (transforms(rule)) this.change(field, this.transform(rule, text!));
  }

  /** The record is kept: its staged effects take place. */
  commit(record: number, recordSet: number): void {
    const counts = this.counts;
    counts[ALLOWED][recordSet]++;
    for (let i = 0; i < this.countsN; i += 2) counts[this.pendingCounts[i]][this.pendingCounts[i + 1]]++;
    for (let i = 0; i < this.fieldsN; i++) this.data.set(record, this.pendingFields[i], this.pendingValues[i]);
  }
}
