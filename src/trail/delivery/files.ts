/**
 * Writing trail objects to the local "bucket" directory: gzip, written to a temporary name,
 * flushed to disk and renamed, so a reader (or validate-logs) never sees a half-written object,
 * even after a crash. A write that fails (a full disk) removes its temporary file: it leaves
 * nothing behind.
 */
import { open, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBase62 } from '../../lib/ids.js';
import { makeDirectory } from '../../lib/make-dir.js';

export const objectPath = (directory: string, bucket: string, key: string) => join(directory, bucket, ...key.split('/'));

async function writeDurably(path: string, bytes: Uint8Array): Promise<void> {
  const fh = await open(path, 'wx', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.datasync();
  } finally {
    await fh.close();
  }
}

/** The rename itself is durable only once the directory is flushed. */
async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

export async function writeObject(path: string, bytes: Uint8Array): Promise<void> {
  await makeDirectory(dirname(path), 0o700);
  const tmp = `${path}.${randomBase62(8)}.tmp`;
  try {
    await writeDurably(tmp, bytes);
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDirectory(dirname(path));
}

/** Best effort: removes an object whose delivery could not be recorded (see trail-writer.ts). */
export const removeObject = (path: string) => unlink(path).catch(() => undefined);
