/**
 * A batch of records as it crosses to the import's writer thread. Copying objects or a large
 * string between threads (structured clone) costs more per record than inserting it, and so does
 * writing into fresh memory (every page faults once), so every value of a batch is written into
 * shared memory that is reused from batch to batch: times, kinds, origin lines, the UTF-8 bytes of
 * each record's keys (end to end) and of its text (handed to SQLite as they are, never made a
 * string again), and where each ends. Only the batch's distinct origin files cross as strings.
 *
 * A record's keys are written as one string, their values end to end, with each value's length
 * in UTF-16 code units (NONE when absent). The reader decodes that string once and cuts it at
 * those lengths; when its byte length equals its length it is ASCII and decodes as latin1. Keys
 * holding a surrogate (a JSON escape can make a lone one, which UTF-8 cannot carry) cross as the
 * string itself, so SQLite is given exactly what the store's own thread would give it.
 */
import { JOURNAL_KINDS, KEY_COLUMNS, type JournalAppend, type JournalKeys, type JournalKind } from '../types.js';
import type { InsertRow } from '../writer.js';

/** The key names in the order the INSERT takes their columns (writer.ts insertRow: KEY_COLUMNS order). */
const KEY_NAMES = Object.keys(KEY_COLUMNS) as (keyof JournalKeys)[];
const KEYS = KEY_NAMES.length;
/** An absent key's length, or an absent origin file's index. */
const NONE = 0xffff_ffff;
const KIND_INDEX = new Map<JournalKind, number>(JOURNAL_KINDS.map((k, i) => [k, i]));

/** Shared memory for one batch at a time, each buffer grown when a batch needs more. */
export interface BatchSlot {
  /** Per record: its time (int64). */
  times: SharedArrayBuffer;
  /** Per record: its origin line (float64, NaN when not imported). */
  lines: SharedArrayBuffer;
  /**
   * Per record, as uint32: its kind, its origin file's index in the batch's `files` (NONE when
   * not imported), where its keys' bytes end and where its text's bytes end in `bytes` (its keys
   * start where record i − 1's text ends, its text where its keys end), then the length of
   * each key value.
   */
  fields: SharedArrayBuffer;
  bytes: SharedArrayBuffer;
}

const FIELDS = 4 + KEYS;
const KIND = 0, FILE = 1, KEYS_END = 2, TEXT_END = 3, KEY_LENGTHS = 4;

export interface PackedBatch {
  slot: BatchSlot;
  count: number;
  /** The distinct origin files of the batch (usually one). */
  files: string[];
  /** Record index → its keys string, for keys holding a surrogate (rare: not sent as bytes). */
  surrogateKeys: Map<number, string>;
}

const SURROGATE = /[\ud800-\udfff]/;

export function emptySlot(): BatchSlot {
  const empty = () => new SharedArrayBuffer(0);
  return { times: empty(), lines: empty(), fields: empty(), bytes: empty() };
}

/** Room for `needed` bytes: the buffer itself, or a larger one (with room to grow). */
function room(buffer: SharedArrayBuffer, needed: number): SharedArrayBuffer {
  return buffer.byteLength >= needed ? buffer : new SharedArrayBuffer(Math.ceil(needed * 1.25));
}

/** A record's key values end to end, and each one's length in `lengths` (NONE when absent). */
function joinKeys(keys: JournalKeys, lengths: Uint32Array, at: number): string {
  let joined = '';
  for (let k = 0; k < KEYS; k++) {
    const value = keys[KEY_NAMES[k]];
    if (value === undefined) lengths[at + k] = NONE;
    else {
      lengths[at + k] = value.length;
      joined += value;
    }
  }
  return joined;
}

/** Writes the records into the slot (or a grown copy of it, which the batch names). */
export function packBatch(records: readonly JournalAppend[], slot: BatchSlot): PackedBatch {
  const count = records.length;
  const grown: BatchSlot = {
    times: room(slot.times, count * 8),
    lines: room(slot.lines, count * 8),
    fields: room(slot.fields, count * FIELDS * 4),
    bytes: slot.bytes,
  };
  const times = new BigInt64Array(grown.times, 0, count);
  const lines = new Float64Array(grown.lines, 0, count);
  const fields = new Uint32Array(grown.fields, 0, count * FIELDS);
  let bytes = Buffer.from(grown.bytes);
  const files: string[] = [];
  const surrogateKeys = new Map<number, string>();
  let at = 0;
  for (let i = 0; i < count; i++) {
    const r = records[i];
    const f = i * FIELDS;
    times[i] = r.timeNs;
    const kind = KIND_INDEX.get(r.kind);
    if (kind === undefined) throw new TypeError(`not a journal kind: ${String(r.kind).slice(0, 32)}`);
    fields[f + KIND] = kind;
    if (r.origin === undefined) {
      fields[f + FILE] = NONE;
      lines[i] = NaN;
    } else {
      let file = files.lastIndexOf(r.origin.file);
      if (file === -1) file = files.push(r.origin.file) - 1;
      fields[f + FILE] = file;
      lines[i] = r.origin.line;
    }
    let keys = joinKeys(r.keys, fields, f + KEY_LENGTHS);
    if (SURROGATE.test(keys)) {
      surrogateKeys.set(i, keys);
      keys = '';
    }
    // At most 3 bytes per UTF-16 code unit: grown before writing, a value is never cut short.
    const most = at + 3 * (keys.length + r.text.length);
    if (most > bytes.length) {
      const larger = new SharedArrayBuffer(Math.ceil(Math.max(most, 2 * bytes.length) * 1.25));
      Buffer.from(larger).set(bytes.subarray(0, at));
      grown.bytes = larger;
      bytes = Buffer.from(larger);
    }
    at += bytes.write(keys, at, 'utf8');
    fields[f + KEYS_END] = at;
    at += bytes.write(r.text, at, 'utf8');
    fields[f + TEXT_END] = at;
  }
  return { slot: grown, count, files, surrogateKeys };
}

/**
 * The batch's InsertRows, each text a view of the slot's bytes: valid until the slot is written
 * again, which its writer does only after this batch's answer.
 */
export function unpackBatch(batch: PackedBatch): InsertRow[] {
  const { count, files } = batch;
  const times = new BigInt64Array(batch.slot.times, 0, count);
  const lines = new Float64Array(batch.slot.lines, 0, count);
  const fields = new Uint32Array(batch.slot.fields, 0, count * FIELDS);
  const bytes = Buffer.from(batch.slot.bytes);
  const rows: InsertRow[] = new Array(count);
  let start = 0;
  for (let i = 0; i < count; i++) {
    const f = i * FIELDS;
    const keysEnd = fields[f + KEYS_END];
    const textEnd = fields[f + TEXT_END];
    const row: unknown[] = new Array(4 + KEYS);
    row[0] = times[i];
    row[1] = JOURNAL_KINDS[fields[f + KIND]];
    let total = 0;
    for (let k = 0; k < KEYS; k++) if (fields[f + KEY_LENGTHS + k] !== NONE) total += fields[f + KEY_LENGTHS + k];
    // As many bytes as code units: all ASCII, which decodes fastest as latin1.
    const keys = batch.surrogateKeys.get(i) ?? (total === keysEnd - start ? bytes.toString('latin1', start, keysEnd) : bytes.toString('utf8', start, keysEnd));
    let from = 0;
    for (let k = 0; k < KEYS; k++) {
      const length = fields[f + KEY_LENGTHS + k];
      if (length === NONE) row[2 + k] = null;
      else {
        row[2 + k] = keys.slice(from, from + length);
        from += length;
      }
    }
    const file = fields[f + FILE];
    row[2 + KEYS] = file === NONE ? null : files[file];
    row[3 + KEYS] = file === NONE ? null : lines[i];
    row[4 + KEYS] = bytes.subarray(keysEnd, textEnd);
    rows[i] = row;
    start = textEnd;
  }
  return rows;
}
