/**
 * `mkdir -p` that always returns. Node's `mkdir(dir, { recursive: true })` never comes back for
 * some paths — under /proc it loops forever, holding a libuv thread at 100% CPU (Node 20) — and an
 * audit device's file_path can arrive through the API. So the missing directories are found with
 * stat, walking up, and created one at a time, top down; any error but "exists" is thrown.
 */
import { mkdirSync, statSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

const notADirectory = (path: string) =>
  Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', syscall: 'mkdir', path });

const code = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** Creates `dir` and any missing parents with `mode`; resolves once all exist. */
export async function makeDirectory(dir: string, mode: number): Promise<void> {
  const missing: string[] = [];
  for (let cur = resolve(dir); ; cur = dirname(cur)) {
    try {
      if (!(await stat(cur)).isDirectory()) throw notADirectory(cur);
      break;
    } catch (err) {
      if (code(err) !== 'ENOENT' || dirname(cur) === cur) throw err;
      missing.push(cur);
    }
  }
  for (const d of missing.reverse()) {
    try {
      await mkdir(d, { mode });
    } catch (err) {
      if (code(err) !== 'EEXIST') throw err;
    }
  }
}

/** The synchronous twin of makeDirectory, for start-up code that opens files synchronously. */
export function makeDirectorySync(dir: string, mode: number): void {
  const missing: string[] = [];
  for (let cur = resolve(dir); ; cur = dirname(cur)) {
    try {
      if (!statSync(cur).isDirectory()) throw notADirectory(cur);
      break;
    } catch (err) {
      if (code(err) !== 'ENOENT' || dirname(cur) === cur) throw err;
      missing.push(cur);
    }
  }
  for (const d of missing.reverse()) {
    try {
      mkdirSync(d, { mode });
    } catch (err) {
      if (code(err) !== 'EEXIST') throw err;
    }
  }
}
