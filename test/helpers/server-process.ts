/**
 * A dev server in a process of its own (to be killed with SIGKILL mid-load), on a given data
 * directory, started from source; bounded: 60 s to start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface ServerProcess {
  process: ChildProcess;
  base: string;
  token: string;
  /** The AWS access key pair the dev server printed at start-up. */
  awsCredentials: { accessKeyId: string; secretAccessKey: string };
  exited: Promise<void>;
  /** What the server wrote so far (stdout and stderr). */
  output(): string;
}

/**
 * `extra`: more server arguments (a `-config` file) and environment variables, modules to load
 * first (`--import`), and the process's open files limit (`ulimit -n`).
 */
export async function startServerProcess(dir: string, extra: { args?: string[]; env?: Record<string, string>; imports?: string[]; openFiles?: number } = {}): Promise<ServerProcess> {
  const env = { ...process.env, ...extra.env };
  for (const k of ['SEALTRAIL_ADDR', 'SEALTRAIL_TOKEN', 'VAULT_ADDR', 'VAULT_TOKEN']) delete env[k];
  const imports = (extra.imports ?? []).flatMap((m) => ['--import', m]);
  const argv = [process.execPath, '--import', 'tsx', ...imports, 'src/cli/main.ts', 'server', '-dev', '-dev-listen-address=127.0.0.1:0', `-dev-data-dir=${dir}`, ...(extra.args ?? [])];
  // The shell sets the limit and becomes the server (exec): the child's pid is the server's.
  const [command, ...args] = extra.openFiles === undefined ? argv : ['/bin/sh', '-c', `ulimit -n ${extra.openFiles} && exec "$@"`, 'sh', ...argv];
  const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let out = '';
  try {
    const { base, token, awsCredentials } = await new Promise<Omit<ServerProcess, 'process' | 'exited' | 'output'>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the server did not start in time:\n${out}`)), 60_000);
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        const b = /^Api Address: (\S+)$/m.exec(out)?.[1];
        const t = /^Root Token: (\S+)$/m.exec(out)?.[1];
        const accessKeyId = /^AWS Access Key: (\S+)$/m.exec(out)?.[1];
        const secretAccessKey = /^AWS Secret Key: (\S+)$/m.exec(out)?.[1];
        if (b && t && accessKeyId && secretAccessKey) { clearTimeout(timer); resolve({ base: b, token: t, awsCredentials: { accessKeyId, secretAccessKey } }); }
      });
      child.stderr!.on('data', (c: Buffer) => { out += c.toString(); });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`the server exited (${code}):\n${out}`)); });
    });
    return { process: child, base, token, awsCredentials, exited, output: () => out };
  } catch (err) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    throw err;
  }
}
