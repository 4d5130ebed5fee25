/**
 * Everything the CLI touches outside itself, passed in so tests can run commands in-process:
 * output streams, stdin, environment, home directory, and (optionally) the fetch to use.
 */
import { once } from 'node:events';
import { homedir } from 'node:os';
import type { FetchLike } from '../sdk/index.js';
import { EXIT_LOCAL, localFailure } from './failure.js';

export interface CliIo {
  /** Writes text as given (callers add newlines). */
  stdout(text: string): void;
  /** Writes bytes as given; a promise when the stream asks to wait (absent: `stdout` is used). */
  stdoutBytes?(chunk: Uint8Array): Promise<void> | void;
  stderr(text: string): void;
  /** Stdin's bytes as they arrive (called at most once per run): read with a bound (input-limits.ts) or streamed. */
  stdinChunks(): AsyncIterable<Uint8Array>;
  stdinIsTty: boolean;
  stdoutIsTty: boolean;
  /** Progress displays redraw only on a terminal (absent: not one). */
  stderrIsTty?: boolean;
  env: Record<string, string | undefined>;
  homeDir: string;
  fetch?: FetchLike;
}

/**
 * The exit status when stdout's reader went away (`sealtrail journal export | head`): that of a
 * program ended by SIGPIPE (128 + 13), as the vault CLI, git and cat end there. Silent, like them.
 */
export const EXIT_BROKEN_PIPE = 141;

export function processIo(): CliIo {
  // Node ignores SIGPIPE, so a write to a closed pipe fails with EPIPE instead: end as if killed by it.
  // Any other failed write (ENOSPC: `> /dev/full`, a full disk) arrives here too, after the command
  // went on: it ends the command in one line, as a failure inside it would.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(EXIT_BROKEN_PIPE);
    process.stderr.write(`${localFailure(err, 'standard output') ?? `sealtrail: standard output: ${err.message}`}\n`);
    process.exit(EXIT_LOCAL);
  });
  return {
    stdout: (text) => void process.stdout.write(text),
    stdoutBytes: (chunk) => (process.stdout.write(chunk) ? undefined : once(process.stdout, 'drain').then(() => undefined)),
    stderr: (text) => void process.stderr.write(text),
    stdinChunks: () => process.stdin,
    stdinIsTty: process.stdin.isTTY === true,
    stdoutIsTty: process.stdout.isTTY === true,
    stderrIsTty: process.stderr.isTTY === true,
    env: process.env,
    homeDir: homedir(),
  };
}
