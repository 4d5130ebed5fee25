/**
 * One load's walk of a capsule body's index of tagged fields (body.ts), record by record. What a
 * read context does to a field depends on nothing but the tag sets in scope — the record's and the
 * field's signature (its tag set and its spans') — and the read parameters, so each combination
 * is planned once per load: whether it denies, which rules apply, which tags it counts. A field
 * whose plan changes nothing is passed over without reading its spans. A record's effects — the
 * values it changes and the fields it counts — stay pending until nothing in it denies it.
 *
 * The work per field is in methods of its own (not one loop body), so that it is compiled and
 * optimized after a few hundred fields rather than only once a whole load has run.
 */
import type { RecordAccess } from './apply-read.js';
import type { OpenedBody } from './body.js';
import { integrityFailure } from './format.js';
import { stringifyJson } from '../../lib/json-text.js';
import type { ReadRule } from './read-context.js';
import { decide } from './read-rules.js';
import type { Scalar } from './records.js';
import type { Tag } from './tags.js';
import type { VarintReader } from './varint.js';

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

/** What the read context does to fields of one signature in records of one tag set. */
interface Plan {
  id: number;
  status: number;
  fieldRule: ReadRule | undefined;
  spanRules: Array<ReadRule | undefined>;
  /** Whether a kept field's value changes (its own rule, or a span's, redacts or tokenizes). */
  changes: boolean;
  /** (bucket, tag set) pairs a kept field adds to the summaries. */
  counts: number[];
}

export class ReadPass {
  private readonly tagSets: Tag[][];
  private readonly sigs: number[][];
  private readonly capsuleTags: Tag[];
  private readonly index: VarintReader;
  /** Occurrences per tag set, by bucket: record tags here, field tags through `planCounts`. */
  private readonly counts: Float64Array[];
  // Plans by record set, then by signature; every plan made, and how many kept fields had it.
  private readonly memo = new Map<number, Map<number, Plan>>();
  private plans = new Map<number, Plan>();
  private readonly allPlans: Plan[] = [];
  private readonly planCounts: number[] = [];
  private recordSet = -1;
  // The current record's pending effects, in arrays reused with their own lengths.
  private readonly pendingPlans: number[] = [];
  private readonly pendingFields: number[] = [];
  private readonly pendingValues: Scalar[] = [];
  private plansN = 0;
  private fieldsN = 0;

  constructor(
    body: OpenedBody,
    private readonly rules: readonly ReadRule[],
    private readonly parameters: Readonly<Record<string, string>>,
    private readonly transform: (rule: ReadRule, value: string) => string,
    private readonly data: RecordAccess,
  ) {
    this.tagSets = body.tagSets;
    this.sigs = body.fieldSigs;
    this.capsuleTags = body.tagSets[body.capsuleSet];
    this.index = body.index;
    const sets = body.tagSets.length;
    this.counts = [new Float64Array(sets), new Float64Array(sets), new Float64Array(sets)];
  }

  /** The first rule matching the tags in scope: a span's (set + 1, or 0), the field's (or -1 for the record alone), the record's, the capsule's. */
  private decision(fieldSet: number, spanSetPlus1: number): ReadRule | undefined {
    const scope: Tag[] = [];
    if (spanSetPlus1 > 0) scope.push(...this.tagSets[spanSetPlus1 - 1]);
    if (fieldSet >= 0) scope.push(...this.tagSets[fieldSet]);
    scope.push(...this.tagSets[this.recordSet], ...this.capsuleTags);
    return decide(this.rules, scope, this.parameters);
  }

  private planFor(sig: number): Plan {
    let plan = this.plans.get(sig);
    if (!plan) {
      plan = this.makePlan(this.sigs[sig]);
      this.allPlans.push(plan);
      this.planCounts.push(0);
      this.plans.set(sig, plan);
    }
    return plan;
  }

  /** In the order rules were always decided: the field's, then each span's; the first denial wins. */
  private makePlan([fieldSet, ...spanSets]: number[]): Plan {
    const plan: Plan = { id: this.allPlans.length, status: KEEP, fieldRule: undefined, spanRules: [], changes: false, counts: [] };
    plan.fieldRule = fieldSet > 0 ? this.decision(fieldSet, 0) : undefined;
    plan.status = statusOf(plan.fieldRule);
    for (let i = 0; i < spanSets.length && plan.status === KEEP; i++) {
      const rule = this.decision(fieldSet, spanSets[i] + 1);
      plan.status = statusOf(rule);
      plan.spanRules.push(rule);
    }
    if (plan.status !== KEEP) return plan;
    const fieldBucket = bucketOf(plan.fieldRule);
    plan.counts.push(fieldBucket, fieldSet);
    // A field that is replaced whole counts its spans with it.
    spanSets.forEach((set, i) => plan.counts.push(transforms(plan.fieldRule) ? fieldBucket : bucketOf(plan.spanRules[i]), set));
    plan.changes = transforms(plan.fieldRule) || plan.spanRules.some(transforms);
    return plan;
  }

  /** A new record with these record tags: its own decision. */
  startRecord(recordSet: number): number {
    if (recordSet !== this.recordSet) {
      let plans = this.memo.get(recordSet);
      if (!plans) this.memo.set(recordSet, (plans = new Map()));
      this.plans = plans;
      this.recordSet = recordSet;
    }
    this.plansN = 0;
    this.fieldsN = 0;
    return statusOf(this.decision(-1, 0));
  }

  /** Reads the record's next tagged field from the index; plans and stages its effects unless the record is denied. */
  entry(record: number, status: number): number {
    const index = this.index;
    const field = index.read();
    const sig = index.read();
    const spanBytes = index.read();
    if (sig >= this.sigs.length) throw unreadable();
    if (status !== KEEP) {
      index.skip(spanBytes);
      return status;
    }
    if (field >= this.data.fieldCount(record)) throw unreadable();
    const plan = this.planFor(sig);
    if (plan.status !== KEEP || !plan.changes) {
      index.skip(spanBytes);
      if (plan.status === KEEP) this.pendingPlans[this.plansN++] = plan.id;
      return plan.status;
    }
    this.pendingPlans[this.plansN++] = plan.id;
    const value = this.data.get(record, field);
    if (transforms(plan.fieldRule)) {
      index.skip(spanBytes);
      this.change(field, this.transform(plan.fieldRule, typeof value === 'string' ? value : stringifyJson(value)));
      return KEEP;
    }
    this.change(field, this.withSpans(plan, value, spanBytes));
    return KEEP;
  }

  /** The value with each span a rule transforms replaced; reads the field's spans. */
  private withSpans(plan: Plan, value: Scalar, spanBytes: number): string {
    if (typeof value !== 'string') throw unreadable();
    const index = this.index;
    const from = index.position;
    let out = '';
    let at = 0;
    let end = 0;
    for (const rule of plan.spanRules) {
      const start = end + index.read();
      end = start + index.read();
      if (end > value.length) throw unreadable();
      if (!transforms(rule)) continue;
      out += value.slice(at, start) + this.transform(rule, value.slice(start, end));
      at = end;
    }
    // Spans are read only here: their stated length must be what was read.
    if (index.position - from !== spanBytes) throw unreadable();
    return out + value.slice(at);
  }

  private change(field: number, value: Scalar): void {
    this.pendingFields[this.fieldsN] = field;
    this.pendingValues[this.fieldsN++] = value;
  }

  /** The record is kept: its staged effects take place. */
  commit(record: number, recordSet: number): void {
    this.counts[ALLOWED][recordSet]++;
    for (let i = 0; i < this.plansN; i++) this.planCounts[this.pendingPlans[i]]++;
    for (let i = 0; i < this.fieldsN; i++) this.data.set(record, this.pendingFields[i], this.pendingValues[i]);
  }

  /** Occurrences per tag set by bucket, for the kept records and the capsule's own tags (once). */
  tagCounts(capsuleSet: number): Float64Array[] {
    const counts = this.counts;
    counts[ALLOWED][capsuleSet]++;
    for (const plan of this.allPlans) {
      const kept = this.planCounts[plan.id];
      for (let i = 0; kept > 0 && i < plan.counts.length; i += 2) counts[plan.counts[i]][plan.counts[i + 1]] += kept;
    }
    return counts;
  }
}
