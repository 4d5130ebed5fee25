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
import type { ReadContext, ReadRule } from './read-context.js';
import { ALLOWED, DENY_CAPSULE, DENY_RECORD, ReadPass, REDACT, TOKENIZE } from './read-pass.js';
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

/** Reads and writes the values of one record of the data by field number. */
export interface RecordAccess {
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
  const token = tokenizer(tokenKey);
  const transform = (rule: ReadRule, value: string) => (rule.effect === 'Redact' ? REDACTED : token(rule.token_format, value));
  const pass = new ReadPass(body, context.rules, parameters, transform, data);
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
