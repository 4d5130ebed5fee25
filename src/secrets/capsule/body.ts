/**
 * What a capsule seals, laid out so that load does not rebuild a per-field object model: the data
 * as the JSON its records take on the wire, and beside it an index of the fields that carry tags.
 * Load parses that JSON (JSON.parse builds the output directly) and visits only the indexed
 * fields; an untagged field is never looked at.
 *
 *   0x02 | meta length (u32 BE) | meta (JSON) | index length (u32 BE) | index | data chunks
 *
 *   meta:  { v: 2, shape, tags: Tag[], tag_sets: idx[][], capsule_tags: set, record_tags: [record, set][],
 *            write_context, location, created_time, kept_numbers }
 *   index: per tagged field, in record then field order, varints (varint.ts):
 *            record delta, field, field tag set, span count, then per span: start − previous end,
 *            length, tag set
 *   data:  chunks, each its length (u32 BE) and a JSON text: for text the string (one chunk); for
 *          records and tables lists of consecutive records (objects; rows), in order
 *          (records.ts RECORDS_PER_CHUNK)
 *
 * Each distinct tag is stored once and each distinct list of tags (a "tag set", set 0 being the
 * empty one) once, referenced by number: a classified table repeats the same few on every row.
 * Fields are numbered by position (a record's keys in Object.keys order, which JSON.parse gives
 * back); span offsets are string indices (UTF-16 code units) into the field's value. A body that
 * starts with `{` is the older layout (body-v1.ts), read by converting it to this one.
 */
import { integrityFailure } from './format.js';
import { parseJson } from '../../lib/json-text.js';
import { isJsonObject } from '../../lib/safe-object.js';
import { decodeBodyV1 } from './body-v1.js';
import { LAYOUT_V2, type WireMeta } from './body-writer.js';
import type { Scalar, Shape } from './records.js';
import type { Tag } from './tags.js';
import { VarintReader } from './varint.js';

/** The data in the caller's shape, as it is returned: the table, the records or the text. */
export type BodyData =
  | { kind: 'text'; text: string }
  | { kind: 'records'; records: Array<Record<string, Scalar>> }
  | { kind: 'table'; columns: string[]; rows: Scalar[][] };

/** An opened body: the parsed data, the tag tables, and the index to walk. */
export interface OpenedBody {
  data: BodyData;
  tags: Tag[];
  /** Tag sets by number; set 0 is empty. */
  tagSets: Tag[][];
  capsuleSet: number;
  /** Record number → tag set, for the records that have tags of their own. */
  recordSets: ReadonlyMap<number, number>;
  writeContext: string;
  location: string | null;
  createdTime: string;
  index: VarintReader;
}

/** The data from its chunks (from `at` to the end of `bytes`), checked against its shape. */
function dataOf(shape: Shape, bytes: Buffer, at: number, keptNumbers: boolean): BodyData {
  const values: unknown[] = [];
  while (at < bytes.length) {
    const length = bytes.readUInt32BE(at);
    at += 4;
    if (at + length > bytes.length) throw new Error('truncated chunk');
    const text = bytes.toString('utf8', at, at + length);
    at += length;
    const chunk = keptNumbers ? parseJson(text) : JSON.parse(text) as unknown;
    if (shape.kind === 'text') values.push(chunk);
    else if (Array.isArray(chunk)) for (let i = 0; i < chunk.length; i++) values.push(chunk[i]);
    else throw new Error('chunk is not a list');
  }
  if (shape.kind === 'text' && values.length === 1 && typeof values[0] === 'string') return { kind: 'text', text: values[0] };
  if (shape.kind === 'records' && values.every(isJsonObject)) return { kind: 'records', records: values as Array<Record<string, Scalar>> };
  if (shape.kind === 'table' && values.every(Array.isArray)) return { kind: 'table', columns: shape.columns, rows: values as Scalar[][] };
  throw new Error('data does not fit its shape');
}

function decodeV2(bytes: Buffer): OpenedBody {
  let at = 1;
  const metaLength = bytes.readUInt32BE(at);
  at += 4;
  const wire = JSON.parse(bytes.toString('utf8', at, at + metaLength)) as WireMeta;
  at += metaLength;
  const indexLength = bytes.readUInt32BE(at);
  at += 4;
  if (wire.v !== 2 || !Array.isArray(wire.tags) || !Array.isArray(wire.tag_sets) || !Array.isArray(wire.record_tags) || at + indexLength > bytes.length) {
    throw new Error('shape');
  }
  const tagSets = wire.tag_sets.map((set) => set.map((i) => {
    const t = wire.tags[i];
    if (!t) throw new Error('tag index');
    return t;
  }));
  const set = (n: number) => {
    if (!Number.isSafeInteger(n) || !tagSets[n]) throw new Error('tag set');
    return n;
  };
  return {
    data: dataOf(wire.shape, bytes, at + indexLength, wire.kept_numbers),
    tags: wire.tags,
    tagSets,
    capsuleSet: set(wire.capsule_tags),
    recordSets: new Map(wire.record_tags.map(([record, s]) => [record, set(s)])),
    writeContext: wire.write_context,
    location: wire.location,
    createdTime: wire.created_time,
    index: new VarintReader(bytes, at, at + indexLength),
  };
}

/** Opens either layout. A body that does not parse is an integrity failure. */
export function decodeBody(bytes: Buffer): OpenedBody {
  try {
    if (bytes[0] === LAYOUT_V2) return decodeV2(bytes);
    if (bytes[0] === 0x7b) return decodeV2(decodeBodyV1(bytes));
    throw new Error('layout');
  } catch {
    // Authenticated but unreadable: written by something that is not this engine.
    throw integrityFailure('unreadable capsule body');
  }
}
