/**
 * The files an import reads: each argument that is a file, and the files under each argument that
 * is a directory (in name order, symbolic links not followed, so a tree cannot loop or lead
 * outside itself). Paths keep the argument's spelling (`logs/audit.log`, not an absolute path).
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

export interface InputEntry {
  path: string;
  size: number;
}

async function* walkDirectory(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkDirectory(path);
    else if (entry.isFile()) yield path;
  }
}

/** `accept` is asked about files found in directories (by their path below the directory). */
export async function listInputs(args: readonly string[], accept: (relativePath: string) => boolean): Promise<InputEntry[]> {
  const inputs: InputEntry[] = [];
  for (const arg of args) {
    const info = await stat(arg);
    if (!info.isDirectory()) {
      inputs.push({ path: arg, size: info.size });
      continue;
    }
    for await (const path of walkDirectory(arg)) {
      if (!accept(relative(arg, path))) continue;
      inputs.push({ path, size: (await lstat(path)).size });
    }
  }
  return inputs;
}
