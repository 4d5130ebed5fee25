/** Runs the CLI in-process with captured output, a given stdin, environment and home directory. */
import { runCli } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  stdin?: string;
  /** Stdin as the chunks a pipe delivers (default: `stdin` in one chunk). */
  stdinChunks?: Uint8Array[];
  env?: Record<string, string | undefined>;
  homeDir?: string;
  stdoutIsTty?: boolean;
}

export function memoryIo(opts: RunOptions = {}): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    async *stdinChunks() {
      yield* opts.stdinChunks ?? [Buffer.from(opts.stdin ?? '', 'utf8')];
    },
    stdinIsTty: opts.stdin === undefined && opts.stdinChunks === undefined,
    stdoutIsTty: opts.stdoutIsTty ?? false,
    env: opts.env ?? {},
    homeDir: opts.homeDir ?? '/nonexistent-home',
  };
}

export async function runIn(argv: string[], opts: RunOptions = {}): Promise<CliRun> {
  const io = memoryIo(opts);
  const code = await runCli(argv, io);
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}
