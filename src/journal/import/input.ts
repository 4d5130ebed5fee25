/**
 * One input as a stream of its (decompressed) bytes: a file, a pipe, or standard input. Gzip is
 * recognised by its first bytes, not the name: rotated logs are compressed under any name, and a
 * pipe has none. `bytesRead` counts the input's own bytes, which the progress display sets
 * against the inputs' total size.
 */
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { openRegularFile } from '../../lib/regular-file.js';
import { gunzip } from './gunzip.js';
import { READ_CHUNK_BYTES } from './limits.js';
import type { InputEntry } from './walk.js';

export { TrailingDataError } from './gunzip.js';

const GZIP_MAGIC = [0x1f, 0x8b];

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
  const opened = await openRegularFile(path, { followLinks: false });
  if ('refused' in opened) throw new NotRegularFileError(opened.refused);
  return opened.file;
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
  return { chunks: gunzip(chunks()), bytesRead: () => read };
}
