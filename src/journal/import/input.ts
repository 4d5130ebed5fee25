/**
 * One input as a stream of its (decompressed) bytes: a file, a pipe, or standard input. Gzip is
 * recognised by its first bytes, not the name: rotated logs are compressed under any name, and a
 * pipe has none. `bytesRead` counts the input's own bytes, which the progress display sets
 * against the inputs' total size.
 */
import { constants, createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { READ_CHUNK_BYTES } from './limits.js';
import type { InputEntry } from './walk.js';

const GZIP_MAGIC = [0x1f, 0x8b];
const GUNZIP_WRITE_BYTES = 64 * 1024;

export interface InputFile {
  chunks: AsyncIterable<Buffer>;
  bytesRead(): number;
}

/** A file found in a directory that is no longer the regular file the walk saw: not read. */
export class NotRegularFileError extends Error {}

/**
 * Opens a file found by walking a directory. Its name may have been given since to a symbolic link
 * (to /etc/passwd), a FIFO or a device: the link is not followed (O_NOFOLLOW), the open does not
 * wait for a FIFO's writer (O_NONBLOCK, which a regular file's reads ignore), and what was opened is
 * read only when it is a regular file. Only the last component is checked (Node has no openat): a
 * directory of the tree replaced by a link after the walk is still gone through.
 */
export async function openWalkedFile(path: string): Promise<FileHandle> {
  let file: FileHandle;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOOP') throw new NotRegularFileError('a symbolic link, not followed');
    throw err;
  }
  try {
    if (!(await file.stat()).isFile()) throw new NotRegularFileError('not a regular file');
  } catch (err) {
    await file.close();
    throw err;
  }
  return file;
}

/**
 * Reads `source` (a file, or the chunks of standard input). Reading is sequential, so a FIFO or a
 * pipe named as an argument reads like a file; a file found in a directory is read only as one
 * (openWalkedFile). A file that cannot be opened throws here; a truncated or corrupt gzip member
 * makes the iteration throw (zlib's "unexpected end of file"), and the caller reports the input as
 * bad and keeps what it read before.
 */
export async function openInput(source: Pick<InputEntry, 'path' | 'walked'> | AsyncIterable<Uint8Array>): Promise<InputFile> {
  const options = { highWaterMark: READ_CHUNK_BYTES };
  const stream = !('path' in source) ? source
    : source.walked ? (await openWalkedFile(source.path)).createReadStream(options)
    : createReadStream(source.path, options);
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
  return { chunks: gunzipped(chunks()), bytesRead: () => read };
}

/**
 * A gzip file's data ends with its last member. zlib stops at a byte that starts no member: zero
 * padding after it is common and ignored, but zlib drops whatever follows the zeros too — a member
 * after padding, a log appended to a compressed file — without a word. As `gzip -d` warns
 * ("trailing garbage ignored"), that is an error here, raised after every decompressed byte was
 * yielded: the file is reported bad and what was read of it stays imported.
 */
export class TrailingDataError extends Error {
  constructor(readonly offset: number) {
    super(`data after the end of the gzip stream, at byte ${offset}, was not read`);
  }
}

async function* gunzipped(raw: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  // The chunks handed to zlib that it may not have consumed yet (from offset `pendingStart`).
  const pending: Buffer[] = [];
  let pendingStart = 0;
  let ended = false;
  let trailing: number | undefined;
  const checkZeros = (chunk: Buffer, offset: number): void => {
    if (trailing !== undefined) return;
    const at = firstNonZero(chunk);
    if (at >= 0) trailing = offset + at;
  };
  let fed = 0;
  async function* recorded(): AsyncGenerator<Buffer> {
    for await (const chunk of raw) {
      if (ended) checkZeros(chunk, fed);
      else {
        pending.push(chunk);
        while (pending.length > 0 && pendingStart + pending[0]!.length <= gunzip.bytesWritten) pendingStart += pending.shift()!.length;
      }
      fed += chunk.length;
      // In slices: zlib gives none of the output of a write it fails in.
      for (let at = 0; at < chunk.length; at += GUNZIP_WRITE_BYTES) yield chunk.subarray(at, at + GUNZIP_WRITE_BYTES);
    }
  }
  const input = Readable.from(recorded(), { objectMode: false });
  input.on('error', (err) => gunzip.destroy(err));
  // A corrupt member ends the gunzip early: the input is closed with it, not left open.
  gunzip.on('close', () => {
    if (!ended) input.destroy();
  });
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk;
    // zlib consumed its input up to the end of the last member; the rest must be zeros.
    ended = true;
    input.unpipe(gunzip);
    let offset = pendingStart;
    const consumed = gunzip.bytesWritten;
    for (const chunk of pending) {
      if (offset + chunk.length > consumed) checkZeros(chunk.subarray(Math.max(0, consumed - offset)), Math.max(offset, consumed));
      offset += chunk.length;
    }
    pending.length = 0;
    // The rest of the input, through the same recorder, which checks it as it passes.
    for await (const chunk of input) {
      void chunk;
      if (trailing !== undefined) break;
    }
    if (trailing !== undefined) throw new TrailingDataError(trailing);
  } finally {
    input.destroy();
  }
}

function firstNonZero(chunk: Buffer): number {
  for (let i = 0; i < chunk.length; i++) if (chunk[i] !== 0) return i;
  return -1;
}
