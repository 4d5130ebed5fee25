/**
 * Opening a file only if it is a regular file (and reading one whole), for names a command found in a directory (or was
 * given by someone it does not trust) and for files whose stand-in must not stall a start (the
 * unseal key file): a FIFO, a device such as /dev/zero or, when links are not followed, a symbolic
 * link put under that name is refused instead of read or written. The open does not wait for a
 * FIFO's other end (O_NONBLOCK, which a regular file's reads and writes ignore), and what was
 * opened is checked with fstat, so a name swapped between a check and the open changes nothing.
 */
import { constants, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export type RegularFile = { file: FileHandle; info: Stats } | { refused: string };

export interface OpenRegularFileOptions {
  followLinks: boolean;
  /** Access and creation flags, O_RDONLY unless given; O_NONBLOCK (and O_NOFOLLOW when links are not followed) is added. */
  flags?: number;
  /** Permission bits of a file that O_CREAT creates. */
  mode?: number;
}

/**
 * The open file and its stat, or why it is not used (`refused`: "not a regular file", "a
 * symbolic link, not followed"). Other failures to open (ENOENT, EACCES, ...) are thrown as they are.
 */
export async function openRegularFile(path: string, opts: OpenRegularFileOptions): Promise<RegularFile> {
  const flags = (opts.flags ?? constants.O_RDONLY) | NONBLOCK | (opts.followLinks ? 0 : constants.O_NOFOLLOW);
  let file: FileHandle;
  try {
    file = await open(path, flags, opts.mode);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (!opts.followLinks && code === 'ELOOP') return { refused: 'a symbolic link, not followed' };
    // ENXIO: a FIFO with no reader (or a socket) opened for writing; EISDIR: a directory opened for writing.
    if (code === 'ENXIO' || code === 'EISDIR') return { refused: 'not a regular file' };
    throw err;
  }
  let info: Stats;
  try {
    info = await file.stat();
  } catch (err) {
    await file.close();
    throw err;
  }
  if (!info.isFile()) {
    await file.close();
    return { refused: 'not a regular file' };
  }
  return { file, info };
}

const NONBLOCK = constants.O_NONBLOCK ?? 0;

/** The first `size` bytes of an open file (fewer if it shrank meanwhile), read in as many calls as it takes. */
export function readOpenFileSync(fd: number, size: number): Buffer {
  const data = Buffer.allocUnsafe(size);
  let read = 0;
  for (let n = 1; read < size && n > 0; read += n) n = readSync(fd, data, read, size - read, read);
  return data.subarray(0, read);
}

/** The same for a FileHandle: its first `size` bytes, fewer if it shrank meanwhile. */
export async function readOpenFile(file: FileHandle, size: number): Promise<Buffer> {
  const data = Buffer.allocUnsafe(size);
  let read = 0;
  for (let n = 1; read < size && n > 0; read += n) n = (await file.read(data, read, size - read, read)).bytesRead;
  return data.subarray(0, read);
}
