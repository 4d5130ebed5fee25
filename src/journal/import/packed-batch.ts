/**
 * A batch of records as it crosses to the import's writer thread. Copying objects or a large
 * string between threads (structured clone) costs more per record than inserting it, and so does
 * writing into fresh memory (every page faults once), so every value of a batch is written into
 * shared memory that is reused from batch to batch: times, kinds, origin lines, the UTF-8 bytes of
 * the texts end to end (handed to SQLite as they are, never made strings again) and where each
 * ends, and the bytes of every record's keys. Only the batch's distinct origin files cross as
 * strings.
 *
 * The keys of the whole batch are written as one string, their values end to end, with each
 * value's length in UTF-16 code units (NONE when absent): the reader decodes that string once and
 * cuts it at those lengths (when its byte length equals its length it is ASCII, which decodes as
 * latin1). A record's keys holding a surrogate (a JSON escape can make a lone one, which UTF-8
 * cannot carry) cross as the string itself, so SQLite is given exactly what the store's own thread
 * would give it.
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
   * not imported), where its text's bytes end in `texts` (it starts where record i − 1's ends),
   * then the length of each key value.
   */
  fields: SharedArrayBuffer;
  /** The texts' UTF-8 bytes, end to end. */
  texts: SharedArrayBuffer;
  /** The keys' UTF-8 bytes, end to end. */
  keys: SharedArrayBuffer;
}

const FIELDS = 3 + KEYS;
const KIND = 0, FILE = 1, TEXT_END = 2, KEY_LENGTHS = 3;

export interface PackedBatch {
  slot: BatchSlot;
  count: number;
  /** The distinct origin files of the batch (usually one). */
  files: string[];
  /** The bytes of the batch's keys in `keys`, and their length in UTF-16 code units. */
  keysBytes: number;
  keysLength: number;
  /** Record index → its keys string, for keys holding a surrogate (rare: not sent as bytes). */
  surrogateKeys: Map<number, string>;
}

const SURROGATE = /[\ud800-\udfff]/;
/**
 * Ends are uint32: a batch's texts, and its keys (taken from the texts), stay below 4 GiB. The
 * importer commits a batch once its texts pass IMPORT_BATCH_TEXT_BYTES (limits.ts), so an
 * import's batches hold at most that plus one record of MAX_LINE_BYTES.
 */
const MAX_BYTES = 0xffff_ffff;

export function emptySlot(): BatchSlot {
  const empty = () => new SharedArrayBuffer(0);
  return { times: empty(), lines: empty(), fields: empty(), texts: empty(), keys: empty() };
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
    texts: slot.texts,
    keys: slot.keys,
  };
  const times = new BigInt64Array(grown.times, 0, count);
  const lines = new Float64Array(grown.lines, 0, count);
  const fields = new Uint32Array(grown.fields, 0, count * FIELDS);
  const texts = new Appender(grown.texts);
  const keyBytes = new Appender(grown.keys);
  const files: string[] = [];
  const surrogateKeys = new Map<number, string>();
  let keysLength = 0;
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
    const keys = joinKeys(r.keys, fields, f + KEY_LENGTHS);
    if (SURROGATE.test(keys)) surrogateKeys.set(i, keys);
    else {
      keyBytes.append(keys);
      keysLength += keys.length;
    }
    fields[f + TEXT_END] = texts.append(r.text);
  }
  grown.texts = texts.buffer;
  grown.keys = keyBytes.buffer;
  return { slot: grown, count, files, keysBytes: keyBytes.at, keysLength, surrogateKeys };
}

/** Writes strings' UTF-8 bytes end to end into shared memory, growing it (a copy) when needed. */
class Appender {
  at = 0;
  private bytes: Buffer;
  constructor(public buffer: SharedArrayBuffer) {
    this.bytes = Buffer.from(buffer);
  }

  /** Appends `text`; returns where its bytes end. */
  append(text: string): number {
    // At most 3 bytes per UTF-16 code unit; counted exactly only when that bound does not fit.
    if (this.at + 3 * text.length > this.bytes.length) {
      const needed = this.at + Buffer.byteLength(text, 'utf8');
      if (needed > MAX_BYTES) throw new RangeError('an import batch holds more than 4 GiB of text');
      if (needed > this.bytes.length) {
        this.buffer = new SharedArrayBuffer(Math.min(MAX_BYTES, Math.ceil(Math.max(needed, 2 * this.bytes.length) * 1.25)));
        const larger = Buffer.from(this.buffer);
        larger.set(this.bytes.subarray(0, this.at));
        this.bytes = larger;
      }
    }
    this.at += this.bytes.write(text, this.at, 'utf8');
    return this.at;
  }
}

/**
 * The batch's InsertRows, each text a view of the slot's bytes: valid until the slot is written
 * again, which its writer does only after this batch's answer.
 */
export function unpackBatch(batch: PackedBatch): InsertRow[] {
  const { count, files, surrogateKeys } = batch;
  const times = new BigInt64Array(batch.slot.times, 0, count);
  const lines = new Float64Array(batch.slot.lines, 0, count);
  const fields = new Uint32Array(batch.slot.fields, 0, count * FIELDS);
  const keyBytes = Buffer.from(batch.slot.keys, 0, batch.keysBytes);
  const allKeys = batch.keysBytes === batch.keysLength ? keyBytes.toString('latin1') : keyBytes.toString('utf8');
  const rows: InsertRow[] = new Array(count);
  let start = 0;
  let from = 0;
  for (let i = 0; i < count; i++) {
    const f = i * FIELDS;
    const row: unknown[] = new Array(4 + KEYS);
    row[0] = times[i];
    row[1] = JOURNAL_KINDS[fields[f + KIND]];
    const own = surrogateKeys.size === 0 ? undefined : surrogateKeys.get(i);
    const keys = own ?? allKeys;
    let at = own === undefined ? from : 0;
    for (let k = 0; k < KEYS; k++) {
      const length = fields[f + KEY_LENGTHS + k];
      if (length === NONE) row[2 + k] = null;
      else {
        row[2 + k] = keys.slice(at, at + length);
        at += length;
      }
    }
    if (own === undefined) from = at;
    const file = fields[f + FILE];
    row[2 + KEYS] = file === NONE ? null : files[file];
    row[3 + KEYS] = file === NONE ? null : lines[i];
    // A view, not a copy (SQLite copies it); a plain Uint8Array costs less to make than a Buffer.
    const end = fields[f + TEXT_END];
    row[4 + KEYS] = new Uint8Array(batch.slot.texts, start, end - start);
    rows[i] = row;
    start = end;
  }
  return rows;
}
