/** Runs the CLI in-process with captured output, a given stdin, environment and home directory. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach } from 'node:test';
import { runCli } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/io.js';
import { startFakeVault, type FakeVault } from '../sdk/fake-vault.js';

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

export interface FakeVaultRig {
  /** Started before the file's tests; its routes and recorded requests are cleared before each. */
  fake: FakeVault;
  /** A fresh home directory for the file's tests, removed after them. */
  home: string;
  /** The CLI against the fake, with the root token and `home` unless `opts` say otherwise. */
  run(argv: string[], opts?: RunOptions): Promise<CliRun>;
}

/** Registers the file's hooks: a fake Vault and a home directory (named after `prefix`) for its tests. */
export function useFakeVault(prefix: string): FakeVaultRig {
  const rig: FakeVaultRig = {
    fake: undefined as unknown as FakeVault,
    home: '',
    run: (argv, opts = {}) =>
      runIn(argv, { homeDir: rig.home, ...opts, env: { SEALTRAIL_ADDR: rig.fake.address, SEALTRAIL_TOKEN: 'tok-root', ...opts.env } }),
  };
  before(async () => {
    rig.fake = await startFakeVault();
    rig.home = await mkdtemp(join(tmpdir(), prefix));
  });
  after(async () => {
    await rig.fake.close();
    await rm(rig.home, { recursive: true, force: true });
  });
  beforeEach(() => {
    rig.fake.routes = {};
    rig.fake.requests.length = 0;
  });
  return rig;
}
