/**
 * A batch of records as it crosses to the import's writer thread. Copying objects between threads
 * (structured clone) costs more per record than inserting it, and so does writing into fresh
 * memory (every page faults once), so a batch is written into shared memory that is reused from
 * batch to batch — its times, every text's UTF-8 bytes end to end (handed to SQLite as they are,
 * never made strings again) and where each text ends — plus the other values of every row as one
 * JSON string.
 */
import type { JournalAppend } from '../types.js';
import { insertRow, type InsertRow } from '../writer.js';

/** Shared memory for one batch at a time, grown when a batch needs more. */
export interface BatchSlot {
  times: SharedArrayBuffer;
  texts: SharedArrayBuffer;
  /** Where record i's text ends in `texts` (it starts where record i − 1's ends), as uint32. */
  textEnds: SharedArrayBuffer;
}

export interface PackedBatch {
  slot: BatchSlot;
  count: number;
  /** JSON: per record, its InsertRow without the time and the text. */
  values: string;
}

export function emptySlot(): BatchSlot {
  return { times: new SharedArrayBuffer(0), texts: new SharedArrayBuffer(0), textEnds: new SharedArrayBuffer(0) };
}

/** Room for `needed` bytes: the buffer itself, or a larger one (with room to grow). */
function room(buffer: SharedArrayBuffer, needed: number): SharedArrayBuffer {
  return buffer.byteLength >= needed ? buffer : new SharedArrayBuffer(Math.ceil(needed * 1.25));
}

/** Writes the records into the slot (or a grown copy of it, which the batch names). */
export function packBatch(records: readonly JournalAppend[], slot: BatchSlot): PackedBatch {
  let bytes = 0;
  for (const r of records) bytes += Buffer.byteLength(r.text, 'utf8');
  const grown: BatchSlot = {
    times: room(slot.times, records.length * 8),
    texts: room(slot.texts, bytes),
    textEnds: room(slot.textEnds, records.length * 4),
  };
  const times = new BigInt64Array(grown.times, 0, records.length);
  const textEnds = new Uint32Array(grown.textEnds, 0, records.length);
  const texts = Buffer.from(grown.texts);
  const values: InsertRow[] = new Array(records.length);
  let at = 0;
  records.forEach((r, i) => {
    times[i] = r.timeNs;
    at += texts.write(r.text, at, 'utf8');
    textEnds[i] = at;
    values[i] = insertRow(r).slice(1, -1);
  });
  return { slot: grown, count: records.length, values: JSON.stringify(values) };
}

/**
 * The batch's InsertRows, each text a view of the slot's bytes: valid until the slot is written
 * again, which its writer does only after this batch's answer.
 */
export function unpackBatch(batch: PackedBatch): InsertRow[] {
  const values = JSON.parse(batch.values) as unknown[][];
  const times = new BigInt64Array(batch.slot.times, 0, batch.count);
  const textEnds = new Uint32Array(batch.slot.textEnds, 0, batch.count);
  const texts = Buffer.from(batch.slot.texts);
  let start = 0;
  return values.map((row, i) => {
    const end = textEnds[i];
    const text = texts.subarray(start, end);
    start = end;
    return [times[i], ...row, text];
  });
}
