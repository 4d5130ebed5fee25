/**
 * Writing trail objects to the local "bucket" directory: gzip, written to a temporary name and
 * renamed, so a reader (or validate-logs) never sees a half-written object.
 */
import { rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { randomBase62 } from '../../lib/ids.js';
import { makeDirectory } from '../../lib/make-dir.js';

export const objectPath = (directory: string, bucket: string, key: string) => join(directory, bucket, ...key.split('/'));

export async function writeObject(path: string, bytes: Uint8Array): Promise<void> {
  await makeDirectory(dirname(path), 0o700);
  const tmp = `${path}.${randomBase62(8)}.tmp`;
  await writeFile(tmp, bytes, { mode: 0o600 });
  await rename(tmp, path);
}

export const writeGzipObject = (path: string, text: string) => writeObject(path, gzipSync(Buffer.from(text, 'utf8')));
