/**
 * How a record sits in the spool: a header line, then the record's text, then a newline.
 *
 *   <text bytes, 10 digits> <["kind","timeNs",{keys}]>\n<text>\n
 *
 * The length makes a frame self-delimiting whatever the text holds, and a frame cut short (the
 * tail of a write the process did not finish) is recognisable: its length runs past the data.
 * The length has a fixed width so a frame is encoded in one pass: the text is copied into the
 * batch's buffer first and its byte count written in front of it after.
 */
import { flatten } from '../../lib/flat-string.js';
import type { JournalAppend, JournalKeys, JournalKind } from '../types.js';

const NEWLINE = 0x0a;
const SPACE = 0x20;

/** Frames bigger than this are refused on append (a record is a formatted audit entry or event). */
export const MAX_FRAME_BYTES = 64 * 1024 * 1024;

const LENGTH_DIGITS = 10;
const DIGIT_0 = 0x30;

/** A string JSON.stringify would write as is between quotes (control characters are what it escapes). */
// eslint-disable-next-line no-control-regex
const PLAIN = /^[^"\\\u0000-\u001f\ud800-\udfff]*$/;
/** A key's value as it goes between quotes in JSON. */
const quoted = (value: string): string => (PLAIN.test(value) ? value : JSON.stringify(value).slice(1, -1));
/** `["<kind>","` for each kind (a handful: the JournalKind union). */
const kindOpenings = new Map<string, string>();

/**
 * `JSON.stringify([kind, String(timeNs), keys])`, written out: this runs for every record on the
 * request's thread. The keys after the request id usually repeat from one record to the next
 * (one client, one path: its request and response, its next request), so their text is kept from
 * the record before and reused when every one of them is the same.
 */
function metaOf(r: JournalAppend): string {
  let opening = kindOpenings.get(r.kind);
  if (opening === undefined) kindOpenings.set(r.kind, (opening = `[${JSON.stringify(r.kind)},"`));
  const k = r.keys;
  const rest = restOf(k);
  const keys = k.requestId === undefined ? rest.slice(1) : `"requestId":"${quoted(k.requestId)}"${rest}`;
  return `${opening}${r.timeNs}",{${keys}}]`;
}

/** The keys metaOf wrote last, and their text (restOf). */
let lastKeys: JournalKeys = {};
let lastRest = '';

/**
 * The keys after the request id, each as `,"name":"value"`, in KEY_COLUMNS order. Each key is read
 * by its name: a loop over the names would make every read a lookup by a changing name, which
 * costs more than the rest together.
 */
function restOf(k: JournalKeys): string {
  const l = lastKeys;
  if (k.accessor === l.accessor && k.entityId === l.entityId && k.correlationId === l.correlationId && k.accessKeyId === l.accessKeyId
    && k.userArn === l.userArn && k.keyArn === l.keyArn && k.capsule === l.capsule && k.session === l.session
    && k.remoteAddress === l.remoteAddress && k.path === l.path && k.operation === l.operation && k.outcome === l.outcome) return lastRest;
  let rest = '';
  if (k.accessor !== undefined) rest += `,"accessor":"${quoted(k.accessor)}"`;
  if (k.entityId !== undefined) rest += `,"entityId":"${quoted(k.entityId)}"`;
  if (k.correlationId !== undefined) rest += `,"correlationId":"${quoted(k.correlationId)}"`;
  if (k.accessKeyId !== undefined) rest += `,"accessKeyId":"${quoted(k.accessKeyId)}"`;
  if (k.userArn !== undefined) rest += `,"userArn":"${quoted(k.userArn)}"`;
  if (k.keyArn !== undefined) rest += `,"keyArn":"${quoted(k.keyArn)}"`;
  if (k.capsule !== undefined) rest += `,"capsule":"${quoted(k.capsule)}"`;
  if (k.session !== undefined) rest += `,"session":"${quoted(k.session)}"`;
  if (k.remoteAddress !== undefined) rest += `,"remoteAddress":"${quoted(k.remoteAddress)}"`;
  if (k.path !== undefined) rest += `,"path":"${quoted(k.path)}"`;
  if (k.operation !== undefined) rest += `,"operation":"${quoted(k.operation)}"`;
  if (k.outcome !== undefined) rest += `,"outcome":"${quoted(k.outcome)}"`;
  lastKeys = k;
  lastRest = flatten(rest);
  return lastRest;
}

/** Whether a record's text fits in a frame (the cheap bounds first: UTF-8 takes 1 to 3 bytes per UTF-16 unit). */
export function fitsInFrame(text: string): boolean {
  if (text.length * 3 <= MAX_FRAME_BYTES) return true;
  return text.length <= MAX_FRAME_BYTES && Buffer.byteLength(text, 'utf8') <= MAX_FRAME_BYTES;
}

/** A buffer grown past this by a large batch is dropped after it, not kept for the next. */
const MAX_KEPT_BYTES = 4 << 20;

export interface FrameEncoder {
  /**
   * The frames of a batch of records (each known to fit, fitsInFrame), in one reused buffer: a
   * view valid until the next call.
   */
  encode(records: readonly JournalAppend[]): Buffer;
}

export function createFrameEncoder(): FrameEncoder {
  let scratch = Buffer.allocUnsafeSlow(0);
  const ensure = (used: number, more: number) => {
    if (used + more <= scratch.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(used + more, scratch.length * 2, 65_536));
    scratch.copy(grown, 0, 0, used);
    scratch = grown;
  };
  return {
    encode(records) {
      if (scratch.length > MAX_KEPT_BYTES) scratch = Buffer.allocUnsafeSlow(0);
      let used = 0;
      for (const r of records) {
        const meta = metaOf(r);
        ensure(used, LENGTH_DIGITS + 3 + (meta.length + r.text.length) * 3);
        const start = used;
        used += LENGTH_DIGITS;
        scratch[used++] = SPACE;
        used += scratch.write(meta, used, 'utf8');
        scratch[used++] = NEWLINE;
        let length = scratch.write(r.text, used, 'utf8');
        used += length;
        scratch[used++] = NEWLINE;
        for (let at = start + LENGTH_DIGITS - 1; at >= start; at--, length = Math.floor(length / 10)) scratch[at] = DIGIT_0 + (length % 10);
      }
      return scratch.subarray(0, used);
    },
  };
}

/** One record's frame (tests, tools). */
export function encodeFrame(record: JournalAppend): Buffer {
  return Buffer.from(createFrameEncoder().encode([record]));
}

export type FrameRead =
  | { kind: 'frame'; record: JournalAppend; end: number }
  /** The frame runs past `limit`: it needs `need` bytes from its start (0 when the header is not whole). */
  | { kind: 'partial'; need: number }
  | { kind: 'corrupt'; reason: string };

/** Reads the frame starting at `start` in `buf[0..limit)`. */
export function readFrame(buf: Buffer, start: number, limit: number): FrameRead {
  const newline = buf.indexOf(NEWLINE, start);
  if (newline < 0 || newline >= limit) {
    return limit - start > 1024 * 1024 ? { kind: 'corrupt', reason: 'frame header too long' } : { kind: 'partial', need: 0 };
  }
  const space = buf.indexOf(SPACE, start);
  if (space < 0 || space > newline) return { kind: 'corrupt', reason: 'frame header without a length' };
  const length = Number(buf.toString('latin1', start, space));
  if (!Number.isSafeInteger(length) || length < 0 || length > MAX_FRAME_BYTES) return { kind: 'corrupt', reason: 'frame length out of range' };
  const textStart = newline + 1;
  const end = textStart + length + 1;
  if (end > limit) return { kind: 'partial', need: end - start };
  if (buf[end - 1] !== NEWLINE) return { kind: 'corrupt', reason: 'frame does not end where its length says' };
  let meta: unknown;
  try {
    meta = JSON.parse(buf.toString('utf8', space + 1, newline));
  } catch {
    return { kind: 'corrupt', reason: 'frame header is not JSON' };
  }
  if (!Array.isArray(meta) || meta.length !== 3 || typeof meta[0] !== 'string' || typeof meta[1] !== 'string' || !/^[0-9]{1,20}$/.test(meta[1]) || typeof meta[2] !== 'object' || meta[2] === null) {
    return { kind: 'corrupt', reason: 'frame header has the wrong shape' };
  }
  const record: JournalAppend = {
    kind: meta[0] as JournalKind,
    timeNs: BigInt(meta[1]),
    keys: meta[2] as JournalKeys,
    text: buf.toString('utf8', textStart, end - 1),
  };
  return { kind: 'frame', record, end };
}
