/**
 * What a configuration needs before a server may start on it, beyond being well formed. As Vault
 * does, a production server refuses to run without a listener or storage rather than fall back
 * to something that loses data or serves in the clear unasked; dev mode supplies both.
 */
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { access, readFile, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { dirname } from 'node:path';
import type { ConfigProblem } from './load.js';
import type { ServerConfig } from './types.js';
import { caFileProblem } from './listener-tls.js';

/** Problems that stop a server from starting on `config` (none in dev mode). */
export function startupProblems(config: ServerConfig, opts: { dev: boolean }): ConfigProblem[] {
  if (opts.dev) return [];
  const problems: ConfigProblem[] = [];
  if (!config.declared.listener) {
    problems.push({ key: 'listener', message: 'no listener block: declare listener "tcp" { address = "127.0.0.1:8200" } with tls_cert_file and tls_key_file, or tls_disable = true' });
  }
  if (!config.declared.storage) {
    problems.push({ key: 'storage', message: 'no storage block: outside dev mode the data must live somewhere; declare storage "sqlite" { path = "/var/lib/sealtrail/sealtrail.db" } (storage "inmem" {} keeps nothing across a restart)' });
  }
  return problems;
}

/** What `operator diagnose` also checks: the files and directories the configuration names. */
export async function environmentProblems(config: ServerConfig): Promise<ConfigProblem[]> {
  const problems: ConfigProblem[] = [];
  const { listener } = config;
  if (config.declared.listener && !listener.tlsDisable) {
    await check(problems, 'listener', `tls_cert_file ${listener.tlsCertFile}`, async () => { new X509Certificate(await readFile(listener.tlsCertFile!)); });
    await check(problems, 'listener', `tls_key_file ${listener.tlsKeyFile}`, async () => { createPrivateKey(await readFile(listener.tlsKeyFile!)); });
    const caFile = listener.tlsClientCaFile;
    if (caFile !== undefined) await check(problems, 'listener', `tls_client_ca_file ${caFile}`, async () => {
      const problem = caFileProblem(await readFile(caFile));
      if (problem) throw new Error(problem);
    });
  }
  if (config.storage.type === 'sqlite') {
    const dir = dirname(config.storage.path);
    await check(problems, 'storage', `storage directory ${dir}`, () => writableDir(dir, true));
  }
  if (config.seal) {
    const path = config.seal.path;
    await check(problems, 'seal', `seal key file ${path}`, async () => {
      try {
        await access(path, constants.R_OK);
      } catch (err) {
        // A missing key file is expected before `operator init`: its directory must exist then.
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        await writableDir(dirname(path), true);
      }
    });
  }
  const pidFile = config.pidFile;
  if (pidFile !== undefined) await check(problems, 'pid_file', `pid_file directory ${dirname(pidFile)}`, () => writableDir(dirname(pidFile), true));
  // An S3 destination is not contacted here: diagnose works offline, and the server reports
  // delivery failures in GetTrailStatus once running.
  for (const trail of config.trails) {
    const directory = trail.directory;
    if (directory !== undefined) await check(problems, 'trail', `trail "${trail.name}" directory ${directory}`, () => writableDir(directory, true));
  }
  return problems;
}

const REASONS: Record<string, string> = {
  ENOENT: 'does not exist',
  EACCES: 'permission denied',
  ENOTDIR: 'is not a directory',
  EISDIR: 'is a directory',
};

/** A directory this process can write in; `mayBeCreated`: or the nearest existing parent is. */
async function writableDir(dir: string, mayBeCreated = false): Promise<void> {
  try {
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(dir, constants.W_OK);
  } catch (err) {
    if (mayBeCreated && (err as NodeJS.ErrnoException).code === 'ENOENT') return writableDir(dirname(dir), true);
    throw err;
  }
}

async function check(problems: ConfigProblem[], key: string, what: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    problems.push({ key, message: `${what}: ${REASONS[e.code ?? ''] ?? e.code ?? e.message}` });
  }
}
