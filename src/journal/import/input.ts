/**
 * One input file as a stream of its (decompressed) bytes. Gzip is recognised by its magic bytes,
 * not the name: rotated logs are compressed under any name. `bytesRead` counts the file's own
 * bytes, which the progress display sets against the inputs' total size.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { READ_CHUNK_BYTES } from './limits.js';

const GZIP_MAGIC = [0x1f, 0x8b];

export interface InputFile {
  chunks: AsyncIterable<Buffer>;
  bytesRead(): number;
}

async function isGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
  } finally {
    await fh.close();
  }
}

/**
 * A truncated or corrupt gzip member makes the iteration throw (zlib's "unexpected end of
 * file"); the caller reports the file as bad and keeps what it read before.
 */
export async function openInput(path: string): Promise<InputFile> {
  const gzip = await isGzip(path);
  const file = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  if (!gzip) return { chunks: file, bytesRead: () => file.bytesRead };
  const gunzip = createGunzip({ chunkSize: READ_CHUNK_BYTES });
  file.on('error', (err) => gunzip.destroy(err));
  // A corrupt member ends the gunzip early: the file is closed with it, not left open.
  gunzip.on('close', () => file.destroy());
  file.pipe(gunzip);
  return { chunks: gunzip, bytesRead: () => file.bytesRead };
}
