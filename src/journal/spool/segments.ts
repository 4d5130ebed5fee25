/**
 * The spool directory: numbered segment files (`0000000001.seg`, ...), each appended to until it
 * passes SEGMENT_BYTES, then closed for good. A position in the spool is one number: the segment
 * in the high bits, the byte offset in the low 32 — so positions order as the bytes were written.
 */
import { openSync, readdirSync, readSync, closeSync, ftruncateSync, fstatSync } from 'node:fs';
import { join } from 'node:path';
import type { JournalAppend } from '../types.js';
import { readFrame } from './frame.js';

/** A segment is closed once it holds this much (a batch never straddles two segments). */
export const SEGMENT_BYTES = 64 * 1024 * 1024;

export const position = (segment: number, offset: number): bigint => (BigInt(segment) << 32n) | BigInt(offset);
export const segmentOf = (pos: bigint): number => Number(pos >> 32n);
export const offsetOf = (pos: bigint): number => Number(pos & 0xffffffffn);

export const segmentName = (segment: number): string => `${String(segment).padStart(10, '0')}.seg`;
export const segmentPath = (dir: string, segment: number): string => join(dir, segmentName(segment));

/** The segment numbers present, ascending. */
export function listSegments(dir: string): number[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  return names.filter((n) => /^[0-9]{10}\.seg$/.test(n)).map((n) => Number(n.slice(0, 10))).sort((a, b) => a - b);
}

/** Whole frames read from one place in a segment. */
export interface FrameChunk {
  records: JournalAppend[];
  /** The offset after the last whole frame read. */
  end: number;
  /** Why reading stopped before `to` with nothing more to return, if it did. */
  stop?: { kind: 'partial' } | { kind: 'corrupt'; reason: string };
}

const CHUNK_BYTES = 1024 * 1024;

/**
 * Reads whole frames of the segment open as `fd` from `from` up to `to`: at most `maxRecords`,
 * about CHUNK_BYTES (more when a single frame is bigger).
 */
export function readFrames(fd: number, from: number, to: number, maxRecords: number): FrameChunk {
  let want = Math.min(CHUNK_BYTES, to - from);
  for (;;) {
    const buf = Buffer.allocUnsafe(want);
    let filled = 0;
    while (filled < want) {
      const n = readSync(fd, buf, filled, want - filled, from + filled);
      if (n === 0) break;
      filled += n;
    }
    const records: JournalAppend[] = [];
    let at = 0;
    while (records.length < maxRecords && at < filled) {
      const read = readFrame(buf, at, filled);
      if (read.kind === 'frame') {
        records.push(read.record);
        at = read.end;
        continue;
      }
      if (records.length > 0) break;
      if (read.kind === 'corrupt') return { records, end: from, stop: read };
      // The first frame is bigger than what was read: read it whole, if the range holds it.
      if (read.need > want && from + read.need <= to && filled === want) {
        want = read.need;
        break;
      }
      return { records, end: from, stop: { kind: 'partial' } };
    }
    if (records.length > 0 || at >= filled) return { records, end: from + at };
  }
}

/**
 * Cuts a segment after its last whole frame. Only the last segment of a process that stopped
 * without closing can end in a fragment — a write the process never finished, so never
 * acknowledged. Returns the segment's length after the cut.
 */
export function cutAfterLastFrame(path: string): number {
  const fd = openSync(path, 'r+');
  try {
    const size = fstatSync(fd).size;
    let end = 0;
    for (;;) {
      const chunk = readFrames(fd, end, size, Number.MAX_SAFE_INTEGER);
      end = chunk.end;
      if (chunk.records.length === 0) break;
    }
    if (end < size) ftruncateSync(fd, end);
    return end;
  } finally {
    closeSync(fd);
  }
}
