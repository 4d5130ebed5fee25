/**
 * A gzip file's bytes, decompressed in constant memory, member by member (RFC 1952). zlib's own
 * gunzip goes on to whatever follows a member within the write that ends it, and when that is no
 * member the write fails and its output — the member's last lines — is lost with it. Here each
 * member's header is read, its deflate data inflated raw by zlib, and its trailer (CRC-32, length)
 * checked; only then are the bytes after it read: another member, zero padding, or data that is
 * reported after every byte of the members before it was yielded.
 */
import { Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';
import { READ_CHUNK_BYTES } from './limits.js';

const MAGIC = Buffer.from([0x1f, 0x8b]);
const DEFLATE = 8;
const FHCRC = 0x02, FEXTRA = 0x04, FNAME = 0x08, FCOMMENT = 0x10, RESERVED = 0xe0;
/** zlib is fed this much at a time: it gives none of the output of a write it fails in. */
const INFLATE_WRITE_BYTES = 64 * 1024;

/**
 * A gzip file's data ends with its last member. Zero padding after it is common and ignored; what
 * follows the zeros (a member after padding, which zlib drops without a word) or the member itself
 * (a log appended to a compressed file) is an error, as `gzip -d` warns ("trailing garbage
 * ignored"), raised after every decompressed byte was yielded: the file is reported bad and what
 * was read of it stays imported.
 */
export class TrailingDataError extends Error {
  constructor(readonly offset: number) {
    super(`data after the end of the gzip stream, at byte ${offset}, was not read`);
  }
}

/** A corrupt or cut member fails as zlib's own errors do (importer.ts reports them by code). */
const corrupt = (message: string) => Object.assign(new Error(message), { code: 'Z_DATA_ERROR' });
const truncated = () => Object.assign(new Error('unexpected end of file'), { code: 'Z_BUF_ERROR' });

/** The input front to back; what the inflater of a member did not consume is given back first. */
class Bytes {
  private readonly back: Buffer[] = [];
  /** Where in the input the next byte is. */
  offset = 0;

  constructor(private readonly chunks: AsyncIterator<Buffer>) {}

  async next(): Promise<Buffer | undefined> {
    let chunk = this.back.pop();
    if (chunk === undefined) {
      const r = await this.chunks.next();
      if (r.done) return undefined;
      chunk = r.value;
    }
    this.offset += chunk.length;
    return chunk;
  }

  unread(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.back.push(chunk);
    this.offset -= chunk.length;
  }

  /** The next `n` bytes or fewer (at the input's end), left to be read. */
  async peek(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    for (let chunk; have < n && (chunk = await this.next()) !== undefined; have += chunk.length) parts.push(chunk);
    const all = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.unread(all);
    return all.subarray(0, n);
  }

  /** The next `n` bytes; the input ending before them is a member cut short. */
  async take(n: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let have = 0;
    while (have < n) {
      const chunk = await this.next();
      if (chunk === undefined) throw truncated();
      parts.push(chunk);
      have += chunk.length;
    }
    const all = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.unread(all.subarray(n));
    return all.subarray(0, n);
  }
}

export async function* gunzip(chunks: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  const input = new Bytes(chunks);
  try {
    for (let member = 0; ; member++) {
      const head = await input.peek(MAGIC.length);
      if (head.length === 0) return;
      if (member > 0 && head[0] === 0) {
        await zerosToTheEnd(input);
        return;
      }
      // A member's first byte at the very end is a member cut short, like any other part of it.
      if (member > 0 && !head.equals(MAGIC)) throw MAGIC.subarray(0, head.length).equals(head) ? truncated() : new TrailingDataError(input.offset);
      await skipHeader(input);
      const sum = { crc: 0, size: 0 };
      yield* inflated(input, sum);
      const trailer = await input.take(8);
      if (trailer.readUInt32LE(0) !== sum.crc) throw corrupt('incorrect data check');
      if (trailer.readUInt32LE(4) !== sum.size % 2 ** 32) throw corrupt('incorrect length check');
    }
  } finally {
    // Left early or failed: the file is closed, not left open.
    await chunks.return(undefined);
  }
}

async function zerosToTheEnd(input: Bytes): Promise<void> {
  for (let chunk; (chunk = await input.next()) !== undefined;) {
    const at = chunk.findIndex((b) => b !== 0);
    if (at >= 0) throw new TrailingDataError(input.offset - chunk.length + at);
  }
}

/** Reads a member's header up to its deflate data, checking what zlib would check. */
async function skipHeader(input: Bytes): Promise<void> {
  const fixed = await input.take(10);
  if (fixed[0] !== MAGIC[0] || fixed[1] !== MAGIC[1]) throw corrupt('incorrect header check');
  if (fixed[2] !== DEFLATE) throw corrupt('unknown compression method');
  const flags = fixed[3];
  if ((flags & RESERVED) !== 0) throw corrupt('unknown header flags set');
  let crc = crc32(fixed);
  if (flags & FEXTRA) {
    const length = await input.take(2);
    crc = crc32(await input.take(length.readUInt16LE(0)), crc32(length, crc));
  }
  for (const field of [FNAME, FCOMMENT]) {
    if (!(flags & field)) continue;
    // A zero-terminated string, of any length: passed over chunk by chunk.
    for (;;) {
      const chunk = await input.next();
      if (chunk === undefined) throw truncated();
      const end = chunk.indexOf(0);
      crc = crc32(chunk.subarray(0, end === -1 ? chunk.length : end + 1), crc);
      if (end === -1) continue;
      input.unread(chunk.subarray(end + 1));
      break;
    }
  }
  if (flags & FHCRC && (await input.take(2)).readUInt16LE(0) !== (crc & 0xffff)) throw corrupt('header crc mismatch');
}

/**
 * A member's deflate data, inflated, summed into `sum` as it is yielded. zlib stops at the data's
 * end and consumes nothing past it: the bytes handed to it beyond that are given back to `input`.
 */
async function* inflated(input: Bytes, sum: { crc: number; size: number }): AsyncGenerator<Buffer> {
  const inflater = createInflateRaw({ chunkSize: READ_CHUNK_BYTES });
  // The chunks handed over that zlib may not have consumed yet (from offset `takenStart` of the data).
  const taken: Buffer[] = [];
  let takenStart = 0;
  async function* slices(): AsyncGenerator<Buffer> {
    for (let chunk; (chunk = await input.next()) !== undefined;) {
      while (taken.length > 0 && takenStart + taken[0].length <= inflater.bytesWritten) takenStart += taken.shift()!.length;
      taken.push(chunk);
      for (let at = 0; at < chunk.length; at += INFLATE_WRITE_BYTES) yield chunk.subarray(at, at + INFLATE_WRITE_BYTES);
    }
  }
  const feed = Readable.from(slices(), { objectMode: false });
  feed.on('error', (err) => inflater.destroy(err));
  feed.pipe(inflater);
  try {
    for await (const out of inflater) {
      sum.crc = crc32(out, sum.crc);
      sum.size += out.length;
      yield out;
    }
    feed.unpipe(inflater);
    // Stopped where it stands, so that `taken` holds every chunk it took.
    if (!feed.closed) {
      await new Promise((resolve) => {
        feed.once('close', resolve);
        feed.destroy();
      });
    }
  } finally {
    feed.destroy();
    inflater.destroy();
  }
  const rest = Buffer.concat(taken).subarray(inflater.bytesWritten - takenStart);
  input.unread(rest);
}
