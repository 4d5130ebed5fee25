/**
 * Applies a read context to an opened capsule. Rules are decided for three kinds of unit, each
 * seeing its own tags plus those of everything enclosing it:
 *   record (record + capsule tags) — only DenyRecord / DenyCapsule act at this level;
 *   field  (field tags, when it has any) — Redact / Tokenize replace the whole value;
 *   span   (span tags) — Redact / Tokenize replace that range of the text.
 * DenyRecord at any level drops the record; DenyCapsule at any level refuses the whole load.
 * Redacted text becomes the marker `{redacted}`.
 *
 * Only the fields in the body's index are visited (read-pass.ts); every other value is returned
 * as parsed. The parsed data is this load's own: changed values are written into it in place.
 */
import type { BodyData, OpenedBody } from './body.js';
import { integrityFailure } from './format.js';
import { setOwn } from '../../lib/safe-object.js';
import type { ReadContext } from './read-context.js';
import { ALLOWED, DENY_CAPSULE, DENY_RECORD, ReadPass, REDACT, TOKENIZE } from './read-pass.js';
import type { Scalar } from './records.js';
import type { Tag } from './tags.js';
import { Tokenizer } from './tokenize.js';

export { REDACTED } from './read-pass.js';

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

/** Reads and writes the values of one record of the data by field number. */
export interface RecordAccess {
  count: number;
  fieldCount(record: number): number;
  get(record: number, field: number): Scalar;
  set(record: number, field: number, value: Scalar): void;
  /** The output with only the kept records (all, when none was dropped). */
  output(kept: readonly number[] | undefined): Record<string, unknown>;
}

// Classes rather than closures made per load: code optimized around their methods in one load
// stays valid in the next.
class TextAccess implements RecordAccess {
  readonly count = 1;
  constructor(private text: string) {}
  fieldCount(): number {
    return 1;
  }
  get(): Scalar {
    return this.text;
  }
  set(_r: number, _f: number, value: Scalar): void {
    this.text = value as string;
  }
  output(kept: readonly number[] | undefined): Record<string, unknown> {
    return { data: kept && kept.length === 0 ? '' : this.text };
  }
}

class TableAccess implements RecordAccess {
  readonly count: number;
  constructor(private readonly columns: string[], private readonly rows: Scalar[][]) {
    this.count = rows.length;
  }
  fieldCount(r: number): number {
    return this.rows[r].length;
  }
  get(r: number, f: number): Scalar {
    return this.rows[r][f];
  }
  set(r: number, f: number, value: Scalar): void {
    this.rows[r][f] = value;
  }
  output(kept: readonly number[] | undefined): Record<string, unknown> {
    const { columns, rows } = this;
    return { table: { columns, rows: kept ? kept.map((r) => rows[r]) : rows } };
  }
}

class RecordsAccess implements RecordAccess {
  readonly count: number;
  // Keys of the record last asked for: its fields are visited together.
  private keysOf = -1;
  private keys: string[] = [];
  constructor(private readonly records: Array<Record<string, Scalar>>) {
    this.count = records.length;
  }
  private key(r: number, f: number): string {
    if (this.keysOf !== r) {
      this.keys = Object.keys(this.records[r]);
      this.keysOf = r;
    }
    return this.keys[f];
  }
  fieldCount(r: number): number {
    this.key(r, 0);
    return this.keys.length;
  }
  get(r: number, f: number): Scalar {
    return this.records[r][this.key(r, f)];
  }
  set(r: number, f: number, value: Scalar): void {
    setOwn(this.records[r], this.key(r, f), value);
  }
  output(kept: readonly number[] | undefined): Record<string, unknown> {
    const { records } = this;
    return { records: kept ? kept.map((r) => records[r]) : records };
  }
}

function access(data: BodyData): RecordAccess {
  if (data.kind === 'text') return new TextAccess(data.text);
  if (data.kind === 'table') return new TableAccess(data.columns, data.rows);
  return new RecordsAccess(data.records);
}

export function applyReadContext(
  body: OpenedBody,
  context: ReadContext,
  parameters: Readonly<Record<string, string>>,
  tokenKey: Uint8Array,
): ReadOutcome {
  try {
    return walk(body, context, parameters, tokenKey);
  } catch (err) {
    // A truncated or malformed index (varint.ts): authenticated, so written by something else.
    if (err instanceof RangeError) throw integrityFailure('unreadable capsule body');
    throw err;
  }
}

function walk(body: OpenedBody, context: ReadContext, parameters: Readonly<Record<string, string>>, tokenKey: Uint8Array): ReadOutcome {
  const { tagSets, index } = body;
  const data = access(body.data);
  const pass = new ReadPass(body, context.rules, parameters, new Tokenizer(tokenKey), data);
  let kept: number[] | undefined;
  let filtered = 0;

  let entryRecord = index.done ? Infinity : index.read();
  for (let r = 0; r < data.count; r++) {
    const recordSet = body.recordSets.get(r) ?? 0;
    let status = pass.startRecord(recordSet);
    while (entryRecord === r) {
      status = pass.entry(r, status);
      if (status === DENY_CAPSULE) return deniedOutcome();
      entryRecord = index.done ? Infinity : r + index.read();
    }
    if (status === DENY_CAPSULE) return deniedOutcome();
    if (status === DENY_RECORD) {
      filtered++;
      kept ??= Array.from({ length: r }, (_, i) => i);
      continue;
    }
    kept?.push(r);
    pass.commit(r, recordSet);
  }
  if (entryRecord !== Infinity) throw integrityFailure('unreadable capsule body');
  pass.counts[ALLOWED][body.capsuleSet]++;

  const byTag = (setCounts: Float64Array) => {
    const out = new Map<Tag, number>();
    for (let s = 1; s < tagSets.length; s++) {
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
    allowed: byTag(pass.counts[ALLOWED]),
    redacted: byTag(pass.counts[REDACT]),
    tokenized: byTag(pass.counts[TOKENIZE]),
  };
}

function deniedOutcome(): ReadOutcome {
  return { denied: true, output: {}, returnedRecords: 0, filteredRecords: 0, allowed: new Map(), redacted: new Map(), tokenized: new Map() };
}
