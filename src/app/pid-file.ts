/**
 * pid_file, as Vault: the server's process id while it runs. The name is opened without following
 * a symbolic link and without waiting for a FIFO's reader, and only a regular file is written: a
 * link put at the name (in a directory others can write) would have the server overwrite whatever
 * it points to, and a FIFO would hold the start for ever.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ConfigError } from '../config/index.js';

export async function writePidFile(path: string, pid: number): Promise<void> {
  let file;
  try {
    file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW | constants.O_NONBLOCK, 0o644);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new ConfigError(`pid_file ${path} is a symbolic link, not followed`);
    if (code === 'ENXIO') throw new ConfigError(`pid_file ${path} is not a regular file`);
    throw err;
  }
  try {
    if (!(await file.stat()).isFile()) throw new ConfigError(`pid_file ${path} is not a regular file`);
    await file.truncate(0);
    await file.write(`${pid}\n`, 0);
  } finally {
    await file.close();
  }
}
