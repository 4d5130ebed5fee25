/**
 * What a capsule seals: the records with all their tags, the capsule tags and the write context.
 * Encoded compactly — each distinct tag is stored once in a table and referenced by index, and a
 * field is a tuple — because a classified table repeats the same few tags on every row (the naive
 * JSON was ten times the input).
 *
 *   { v: 1, shape, tags: Tag[], capsule_tags: idx[], write_context, location, created_time,
 *     records: [ [ fields, record_tag_idx[] ] ] }   field: [key, value] or [key, value, tag_idx[], spans]
 *   span: [start, end, ...tag_idx]
 */
import { integrityFailure } from './format.js';
import { parseJson, stringifyJson } from '../../lib/json-text.js';
import type { DataRecord, Field, Scalar, Shape } from './records.js';
import { tagKey, type Tag } from './tags.js';

export interface CapsuleBody {
  shape: Shape;
  records: DataRecord[];
  capsuleTags: Tag[];
  /** Qualified name (`dm-xxx::sensitive`) of the write context that classified the data. */
  writeContext: string;
  location: string | null;
  createdTime: string;
}

type WireField = [string, Scalar] | [string, Scalar, number[], number[][]];

interface WireBody {
  v: 1;
  shape: Shape;
  tags: Tag[];
  capsule_tags: number[];
  write_context: string;
  location: string | null;
  created_time: string;
  records: Array<[WireField[], number[]]>;
}

export function encodeBody(body: CapsuleBody): Buffer {
  const table: Tag[] = [];
  const index = new Map<string, number>();
  // Classification shares one tag object across its hits: most lookups end here, by identity.
  const seen = new Map<Tag, number>();
  const refOne = (t: Tag) => {
    let i = seen.get(t);
    if (i !== undefined) return i;
    const k = tagKey(t);
    i = index.get(k);
    if (i === undefined) {
      i = table.push(t) - 1;
      index.set(k, i);
    }
    seen.set(t, i);
    return i;
  };
  const ref = (tags: Tag[]) => tags.map(refOne);
  let keepsNumbers = false;
  const field = (f: Field): WireField => {
    if (typeof f.value === 'object' && f.value !== null) keepsNumbers = true;
    if (f.tags.length === 0 && f.spans.length === 0) return [f.key, f.value];
    return [f.key, f.value, ref(f.tags), f.spans.map((s) => {
      const out = [s.start, s.end];
      for (const t of s.tags) out.push(refOne(t));
      return out;
    })];
  };
  const records = body.records.map((r): [WireField[], number[]] => [r.fields.map(field), ref(r.tags)]);
  const wire: WireBody = {
    v: 1, shape: body.shape, tags: table, capsule_tags: ref(body.capsuleTags), write_context: body.writeContext,
    location: body.location, created_time: body.createdTime, records,
  };
  // Only a field value can be a JsonNumber (tags and the rest are strings): without one, the text
  // is JSON.stringify's, which stringifyJson would reach only after walking the whole body.
  return Buffer.from(keepsNumbers ? stringifyJson(wire) : JSON.stringify(wire), 'utf8');
}

export function decodeBody(bytes: Buffer): CapsuleBody {
  try {
    const wire = parseJson(bytes.toString('utf8')) as WireBody;
    if (wire.v !== 1 || !Array.isArray(wire.records) || !Array.isArray(wire.tags)) throw new Error('shape');
    const tag = (i: number) => {
      const t = wire.tags[i];
      if (!t) throw new Error('tag index');
      return t;
    };
    return {
      shape: wire.shape,
      capsuleTags: wire.capsule_tags.map(tag),
      writeContext: wire.write_context,
      location: wire.location,
      createdTime: wire.created_time,
      records: wire.records.map(([fields, recordTags]) => ({
        tags: recordTags.map(tag),
        fields: fields.map(([key, value, tags, spans]) => ({
          key,
          value,
          tags: (tags ?? []).map(tag),
          spans: (spans ?? []).map(([start, end, ...refs]) => ({ start, end, tags: refs.map(tag) })),
        })),
      })),
    };
  } catch {
    // Authenticated but unreadable: written by something that is not this engine.
    throw integrityFailure('unreadable capsule body');
  }
}
