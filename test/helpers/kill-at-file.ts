/**
 * Loaded into a server process (`--import`) to crash it at a chosen moment: SIGKILL as the process
 * opens, for writing, a file whose name begins with SEALTRAIL_TEST_KILL_AT_FILE (a base name).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';

const prefix = process.env.SEALTRAIL_TEST_KILL_AT_FILE;
const writing = (flags: unknown) => flags !== undefined && flags !== 'r' && flags !== fs.constants.O_RDONLY;
const killAt = (path: unknown, flags: unknown) => {
  if (prefix && typeof path === 'string' && basename(path).startsWith(prefix) && writing(flags)) process.kill(process.pid, 'SIGKILL');
};

const open = fsp.open;
fsp.open = ((path: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
  killAt(path, flags);
  return open(path, flags, mode);
}) as typeof fsp.open;
const openSync = fs.openSync;
fs.openSync = ((path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode | null) => {
  killAt(path, flags);
  return openSync(path, flags ?? 'r', mode);
}) as typeof fs.openSync;
const writeFileSync = fs.writeFileSync;
fs.writeFileSync = ((path: fs.PathOrFileDescriptor, data: string | NodeJS.ArrayBufferView, options?: fs.WriteFileOptions) => {
  killAt(path, 'w');
  return writeFileSync(path, data, options);
}) as typeof fs.writeFileSync;
syncBuiltinESMExports();
