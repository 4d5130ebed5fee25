/**
 * Opening a file only if it is a regular file, for names a command found in a directory (or was
 * given by someone it does not trust) rather than a file the user named: a FIFO, a device such as
 * /dev/zero or, when links are not followed, a symbolic link put under that name is refused
 * instead of read. The open does not wait for a FIFO's writer (O_NONBLOCK, which a regular file's
 * reads ignore), and what was opened is checked with fstat, so a name swapped between a check and
 * the open changes nothing.
 */
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';

export type RegularFile = { file: FileHandle; info: Stats } | { refused: string };

/**
 * The open file and its stat, or why it is not read (`refused`: "not a regular file", "a
 * symbolic link, not followed"). Other failures to open (ENOENT, EACCES, ...) are thrown as they are.
 */
export async function openRegularFile(path: string, opts: { followLinks: boolean }): Promise<RegularFile> {
  let file: FileHandle;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | (opts.followLinks ? 0 : constants.O_NOFOLLOW));
  } catch (err) {
    if (!opts.followLinks && (err as NodeJS.ErrnoException).code === 'ELOOP') return { refused: 'a symbolic link, not followed' };
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
