/**
 * A throwaway PostgreSQL cluster for tests: initdb into a temp dir, start on a free loopback port
 * with its socket in that dir, trust authentication for local connections only, and stop + remove
 * it at the end. Run as root (CI), the server runs as the `postgres` user through runuser.
 *
 * It fails — it never skips — when PostgreSQL is not installed or cannot start: the storage tests
 * must run (`.ci/run` installs Debian's postgresql when it is missing).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

export interface PostgresCluster {
  /** postgres://postgres@127.0.0.1:<port>/<database> */
  url: string;
  port: number;
  /** Creates another database on the cluster and answers its URL. */
  createDatabase(name: string): string;
  /** Stops the server (fast shutdown); `start` brings it back on the same port. */
  stop(): void;
  start(): void;
  /** Stops it and removes its files. */
  destroy(): void;
}

/** The bin directory of the newest installed PostgreSQL (Debian: /usr/lib/postgresql/<v>/bin). */
export function postgresBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const bin = join(base, v, 'bin');
    if (existsSync(join(bin, 'initdb'))) return bin;
  }
  throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/<version>/bin/initdb): run `apt-get install postgresql` (.ci/run does)');
}

function postgresIds(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  const uid = id('-u');
  if (!Number.isInteger(uid) || uid <= 0) throw new Error('running as root, but there is no `postgres` user to run the server as');
  return { uid, gid: id('-g') };
}

export async function startPostgres(): Promise<PostgresCluster> {
  const bin = postgresBin();
  const ids = postgresIds();
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-pg-'));
  const data = join(dir, 'data');
  if (ids) {
    chownSync(dir, ids.uid, ids.gid);
    chmodSync(dir, 0o700);
  }
  const run = (tool: string, args: string[]) => {
    const argv = ids ? ['runuser', '-u', 'postgres', '--', join(bin, tool), ...args] : [join(bin, tool), ...args];
    const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${tool} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim().slice(0, 2000)}`);
    return r.stdout;
  };
  run('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`;
  const start = () => void run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '60', 'start']);
  const stop = () => void run('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop']);
  start();
  const urlOf = (db: string) => `postgres://postgres@127.0.0.1:${port}/${db}`;
  return {
    url: urlOf('postgres'),
    port,
    createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      run('psql', ['-h', dir, '-p', String(port), '-U', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', `CREATE DATABASE ${name}`]);
      return urlOf(name);
    },
    stop,
    start,
    destroy() {
      try {
        stop();
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
