/**
 * One input as a stream of its (decompressed) bytes: a file, a pipe, or standard input. Gzip is
 * recognised by its first bytes, not the name: rotated logs are compressed under any name, and a
 * pipe has none. `bytesRead` counts the input's own bytes, which the progress display sets
 * against the inputs' total size.
 */
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { READ_CHUNK_BYTES } from './limits.js';

const GZIP_MAGIC = [0x1f, 0x8b];

export interface InputFile {
  chunks: AsyncIterable<Buffer>;
  bytesRead(): number;
}

/**
 * Reads `source` (a path, or the chunks of standard input). Reading is sequential, so a FIFO or a
 * pipe reads like a file. A file that cannot be opened throws here; a truncated or corrupt gzip
 * member makes the iteration throw (zlib's "unexpected end of file"), and the caller reports the
 * input as bad and keeps what it read before.
 */
export async function openInput(source: string | AsyncIterable<Uint8Array>): Promise<InputFile> {
  const stream = typeof source === 'string' ? createReadStream(source, { highWaterMark: READ_CHUNK_BYTES }) : source;
  const it = stream[Symbol.asyncIterator]();
  let read = 0;
  const next = async (): Promise<Buffer | undefined> => {
    const r = await it.next();
    if (r.done) return undefined;
    read += r.value.length;
    return Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.length);
  };
  // The first bytes decide; a pipe may hand them over one at a time.
  const head: Buffer[] = [];
  let headBytes = 0;
  for (let chunk; headBytes < GZIP_MAGIC.length && (chunk = await next()) !== undefined;) {
    head.push(chunk);
    headBytes += chunk.length;
  }
  const first = Buffer.concat(head);
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      if (first.length > 0) yield first;
      for (let chunk; (chunk = await next()) !== undefined;) yield chunk;
    } finally {
      // Left early (a commit failed): the file is closed, not left open.
      await it.return?.();
    }
  }
  const gzip = first.length >= GZIP_MAGIC.length && first[0] === GZIP_MAGIC[0] && first[1] === GZIP_MAGIC[1];
  if (!gzip) return { chunks: chunks(), bytesRead: () => read };
  const input = Readable.from(chunks(), { objectMode: false });
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  input.on('error', (err) => gunzip.destroy(err));
  // A corrupt member ends the gunzip early: the input is closed with it, not left open.
  gunzip.on('close', () => input.destroy());
  input.pipe(gunzip);
  return { chunks: gunzip, bytesRead: () => read };
}
