/** Writes the capsule body layout described in body.ts. */
import type { Shape, Span } from './records.js';
import { tagKey, type Tag } from './tags.js';
import { VarintWriter } from './varint.js';

/** The first byte of a body in this layout (the older one starts with `{`). */
export const LAYOUT_V2 = 0x02;

export interface BodyMeta {
  shape: Shape;
  capsuleTags: readonly Tag[];
  /** Qualified name (`dm-xxx::sensitive`) of the write context that classified the data. */
  writeContext: string;
  location: string | null;
  createdTime: string;
}

export interface WireMeta {
  v: 2;
  shape: Shape;
  tags: Tag[];
  tag_sets: number[][];
  capsule_tags: number;
  record_tags: Array<[number, number]>;
  write_context: string;
  location: string | null;
  created_time: string;
  kept_numbers: boolean;
}

/** Builds a body: tags and sets interned as they come, tagged fields written in order. */
export class BodyWriter {
  private readonly tags: Tag[] = [];
  private readonly tagByKey = new Map<string, number>();
  // Classification shares one tag object across its hits: most lookups end here, by identity.
  private readonly tagByObject = new Map<Tag, number>();
  private readonly sets: number[][] = [[]];
  private readonly setByKey = new Map<string, number>([['', 0]]);
  private readonly singleSets = new Map<Tag, number>();
  private readonly recordTags: Array<[number, number]> = [];
  private readonly index = new VarintWriter();
  private lastRecord = 0;
  private lastField = -1;

  private tagIndex(tag: Tag): number {
    let i = this.tagByObject.get(tag);
    if (i !== undefined) return i;
    const key = tagKey(tag);
    i = this.tagByKey.get(key);
    if (i === undefined) {
      const stored: Tag = { name: tag.name, value: tag.value, type: tag.type, source: tag.source, hook_version: tag.hook_version };
      if (tag.from_data !== undefined) stored.from_data = tag.from_data;
      i = this.tags.push(stored) - 1;
      this.tagByKey.set(key, i);
    }
    this.tagByObject.set(tag, i);
    return i;
  }

  /** The number of the set holding `tags` (in their order). */
  tagSet(tags: readonly Tag[]): number {
    if (tags.length === 0) return 0;
    if (tags.length === 1) {
      const known = this.singleSets.get(tags[0]);
      if (known !== undefined) return known;
    }
    const members = tags.map((t) => this.tagIndex(t));
    const key = members.join(',');
    let set = this.setByKey.get(key);
    if (set === undefined) {
      set = this.sets.push(members) - 1;
      this.setByKey.set(key, set);
    }
    if (tags.length === 1) this.singleSets.set(tags[0], set);
    return set;
  }

  /** Tags of a whole record; records without any need no call. */
  recordTagged(record: number, tags: readonly Tag[]): void {
    if (tags.length > 0) this.recordTags.push([record, this.tagSet(tags)]);
  }

  /** A field's tags and spans (sorted, not overlapping); fields come in record then field order. */
  field(record: number, field: number, fieldTags: readonly Tag[], spans: readonly Span[]): void {
    if (fieldTags.length === 0 && spans.length === 0) return;
    if (record < this.lastRecord || (record === this.lastRecord && field <= this.lastField)) throw new RangeError('capsule body: fields out of order');
    const w = this.index;
    w.write(record - this.lastRecord);
    w.write(field);
    w.write(this.tagSet(fieldTags));
    w.write(spans.length);
    let end = 0;
    for (const span of spans) {
      if (span.start < end || span.end < span.start) throw new RangeError('capsule body: spans out of order');
      w.write(span.start - end);
      w.write(span.end - span.start);
      w.write(this.tagSet(span.tags));
      end = span.end;
    }
    this.lastRecord = record;
    this.lastField = field;
  }

  /** The body bytes; `chunks` are the data's JSON texts, `keptNumbers` whether one holds a JsonNumber. */
  finish(meta: BodyMeta, chunks: readonly string[], keptNumbers: boolean): Buffer {
    const wire: WireMeta = {
      v: 2, shape: meta.shape, tags: this.tags, tag_sets: this.sets, capsule_tags: this.tagSet(meta.capsuleTags),
      record_tags: this.recordTags, write_context: meta.writeContext, location: meta.location, created_time: meta.createdTime,
      kept_numbers: keptNumbers,
    };
    const metaText = JSON.stringify(wire);
    const metaBytes = Buffer.byteLength(metaText, 'utf8');
    const index = this.index.view();
    const chunkBytes = chunks.map((c) => Buffer.byteLength(c, 'utf8'));
    const out = Buffer.allocUnsafe(1 + 4 + metaBytes + 4 + index.length + chunkBytes.reduce((n, b) => n + 4 + b, 0));
    let at = out.writeUInt8(LAYOUT_V2, 0);
    at = out.writeUInt32BE(metaBytes, at);
    at += out.write(metaText, at, 'utf8');
    at = out.writeUInt32BE(index.length, at);
    out.set(index, at);
    at += index.length;
    chunks.forEach((chunk, i) => {
      at = out.writeUInt32BE(chunkBytes[i], at);
      at += out.write(chunk, at, 'utf8');
    });
    return out;
  }
}

