/**
 * Loaded into a server process (`--import`) to crash it at a chosen moment: SIGKILL as the process
 * opens, for writing, a file whose name begins with SEALTRAIL_TEST_KILL_AT_FILE (a base name) or,
 * with SEALTRAIL_TEST_KILL_AFTER_OPEN=1, just after that open (the file created or truncated,
 * nothing written yet).
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { basename } from 'node:path';

const prefix = process.env.SEALTRAIL_TEST_KILL_AT_FILE;
const afterOpen = process.env.SEALTRAIL_TEST_KILL_AFTER_OPEN === '1';
const writing = (flags: unknown) => flags !== undefined && flags !== 'r' && flags !== fs.constants.O_RDONLY;
const chosen = (path: unknown, flags: unknown) => prefix !== undefined && prefix !== '' && typeof path === 'string' && basename(path).startsWith(prefix) && writing(flags);
const kill = () => process.kill(process.pid, 'SIGKILL');

const open = fsp.open;
fsp.open = (async (path: fs.PathLike, flags?: string | number, mode?: fs.Mode) => {
  if (!chosen(path, flags)) return open(path, flags, mode);
  if (!afterOpen) kill();
  await open(path, flags, mode);
  kill();
}) as typeof fsp.open;
const openSync = fs.openSync;
fs.openSync = ((path: fs.PathLike, flags?: fs.OpenMode, mode?: fs.Mode | null) => {
  if (!chosen(path, flags)) return openSync(path, flags ?? 'r', mode);
  if (!afterOpen) kill();
  openSync(path, flags ?? 'r', mode);
  return kill();
}) as typeof fs.openSync;
const writeFile = fsp.writeFile;
fsp.writeFile = (async (path: fs.PathLike, data: string, options?: { flag?: string; mode?: fs.Mode }) => {
  const flag = options?.flag ?? 'w';
  if (!chosen(path, flag)) return writeFile(path, data, options);
  if (!afterOpen) kill();
  await open(path, flag, options?.mode);
  kill();
}) as typeof fsp.writeFile;
syncBuiltinESMExports();
