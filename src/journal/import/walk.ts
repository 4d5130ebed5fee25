/**
 * The files an import reads: each argument that is a file (or a pipe), standard input for `-`,
 * and the files under each argument that is a directory (in name order, symbolic links not
 * followed, so a tree cannot loop or lead outside itself). Paths keep the argument's spelling
 * (`logs/audit.log`, not an absolute path).
 */
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** The argument that names standard input. */
export const STDIN_ARG = '-';

/** How standard input is named where an input's name is shown or kept (reports, records' origin). */
export const STDIN_NAME = '(standard input)';

export interface InputEntry {
  path: string;
  /** Unknown for standard input and pipes. */
  size?: number;
  stdin?: true;
  /**
   * Found by walking a directory named in the arguments: read only as the regular file the walk
   * saw (input.ts), never through a link or as a FIFO or device put in its place since.
   */
  walked?: true;
  /** Why a directory found in the walk could not be listed: reported as bad, the walk goes on. */
  problem?: string;
}

const unreadable = (err: unknown) => `cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`;

/**
 * The files under `dir`, then `{ path, problem }` for each directory below it that cannot be listed
 * (a tree deeper than PATH_MAX, one removed meanwhile, one the user may not read): a tree the
 * operator did not make must not stop the import of the rest of it.
 */
async function* walkDirectory(dir: string, top = true): AsyncGenerator<string | { path: string; problem: string }> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (top) throw err;
    yield { path: dir, problem: unreadable(err) };
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walkDirectory(path, false);
    else if (entry.isFile()) yield path;
  }
}

/** An argument that names nothing to read: the import reads nothing. */
export class InputsError extends Error {}

/** `accept` is asked about files found in directories (by their path below the directory). */
export async function listInputs(args: readonly string[], accept: (relativePath: string) => boolean): Promise<InputEntry[]> {
  const inputs: InputEntry[] = [];
  if (args.filter((arg) => arg === STDIN_ARG).length > 1) throw new InputsError(`standard input (${STDIN_ARG}) can be read once only`);
  for (const arg of args) {
    if (arg === STDIN_ARG) {
      inputs.push({ path: STDIN_NAME, stdin: true });
      continue;
    }
    const info = await stat(arg).catch((err: NodeJS.ErrnoException) => {
      throw new InputsError(`${arg}: ${err.code === 'ENOENT' ? 'no such file or directory' : `cannot be read (${err.code ?? err.message})`}`);
    });
    if (!info.isDirectory()) {
      inputs.push(info.isFile() ? { path: arg, size: info.size } : { path: arg });
      continue;
    }
    for await (const found of walkDirectory(arg)) {
      if (typeof found !== 'string') {
        inputs.push({ ...found, walked: true });
        continue;
      }
      if (!accept(relative(arg, found))) continue;
      // Gone since the walk: its open fails and reports it.
      const size = await lstat(found).then((s) => s.size, () => 0);
      inputs.push({ path: found, size, walked: true });
    }
  }
  return inputs;
}
