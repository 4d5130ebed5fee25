/**
 * The first body layout, still read so capsules sealed before the current one (body.ts) load: one
 * JSON document with every field as a tuple. It is converted to the current layout and opened as
 * one, so both go through the same read path.
 *
 *   { v: 1, shape, tags: Tag[], capsule_tags: idx[], write_context, location, created_time,
 *     records: [ [ fields, record_tag_idx[] ] ] }   field: [key, value] or [key, value, tag_idx[], spans]
 *   span: [start, end, ...tag_idx]
 */
import { containsJsonNumber, parseJson } from '../../lib/json-text.js';
import { setOwn } from '../../lib/safe-object.js';
import { BodyWriter } from './body-writer.js';
import { jsonChunks, type Scalar, type Shape } from './records.js';
import type { Tag } from './tags.js';

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

/** The same capsule body in the current layout; throws on anything that is not a v1 body. */
export function decodeBodyV1(bytes: Buffer): Buffer {
  const wire = parseJson(bytes.toString('utf8')) as WireBody;
  if (wire.v !== 1 || !Array.isArray(wire.records) || !Array.isArray(wire.tags)) throw new Error('shape');
  const tag = (i: number) => {
    const t = wire.tags[i];
    if (!t) throw new Error('tag index');
    return t;
  };
  const writer = new BodyWriter();
  const values: Scalar[][] = [];
  wire.records.forEach(([fields, recordTags], r) => {
    writer.recordTagged(r, recordTags.map(tag));
    values.push(fields.map(([, value]) => value));
    fields.forEach(([, , tags, spans], f) => {
      writer.field(r, f, (tags ?? []).map(tag), (spans ?? []).map(([start, end, ...refs]) => ({ start, end, tags: refs.map(tag) })));
    });
  });
  const { shape } = wire;
  const data = shape.kind === 'text'
    ? String(values[0]?.[0] ?? '')
    : shape.kind === 'table'
      ? values
      : wire.records.map(([fields]) => {
        const record: Record<string, Scalar> = {};
        for (const [key, value] of fields) setOwn(record, key, value);
        return record;
      });
  const meta = { shape, capsuleTags: wire.capsule_tags.map(tag), writeContext: wire.write_context, location: wire.location, createdTime: wire.created_time };
  const chunks = typeof data === 'string' ? [JSON.stringify(data)] : jsonChunks(data);
  return writer.finish(meta, chunks, containsJsonNumber(data));
}
