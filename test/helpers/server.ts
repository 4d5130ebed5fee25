/** Boots the real server (dev mode) on port 0 in a temp dir for end-to-end tests. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runServer, type RunningServer, type ServerRunOptions } from '../../src/app/run.js';

export interface TestServer extends RunningServer {
  rootToken: string;
  dir: string;
  lines: string[];
  /** The AWS access key pair the dev server printed at start-up. */
  awsCredentials: { accessKeyId: string; secretAccessKey: string };
  stop(): Promise<void>;
}

/** The first word of a `<label>: <value> ...` line of the start-up banner. */
export function printedValue(lines: readonly string[], label: string): string {
  const line = lines.find((l) => l.startsWith(`${label}: `));
  if (!line) throw new Error(`the server printed no "${label}" line`);
  return line.slice(label.length + 2).split(' ')[0];
}

export interface DevServerOptions extends Partial<ServerRunOptions> {
  /**
   * `false`: the server runs without the journal (its config gains `journal { enabled = false }`),
   * for tests of one audit device's own behaviour — with the journal, a confirming required device,
   * a failing device no longer fails requests on its own.
   */
  journal?: false;
}

/** The data directories startDevServer made and no stop() has removed yet: removed when the test process exits. */
const madeDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of madeDirs) rmSync(dir, { recursive: true, force: true });
});

export async function startDevServer(options: DevServerOptions = {}): Promise<TestServer> {
  const { journal, ...opts } = options;
  const dir = opts.devDataDir ?? mkdtempSync(join(tmpdir(), 'sealtrail-test-'));
  if (!opts.devDataDir) madeDirs.add(dir);
  if (journal === false) {
    const configPath = join(dir, 'no-journal.hcl');
    const base = opts.configPath ? readFileSync(opts.configPath, 'utf8') : '';
    writeFileSync(configPath, `${base}\njournal {\n  enabled = false\n}\n`);
    opts.configPath = configPath;
  }
  const lines: string[] = [];
  const server = await runServer({
    dev: true,
    devListenAddress: '127.0.0.1:0',
    devDataDir: dir,
    logLevel: 'error',
    handleSignals: false,
    out: (l) => lines.push(l),
    ...opts,
  });
  return {
    ...server,
    rootToken: server.rootToken!,
    dir,
    lines,
    awsCredentials: { accessKeyId: printedValue(lines, 'AWS Access Key'), secretAccessKey: printedValue(lines, 'AWS Secret Key') },
    async stop() {
      try {
        await server.close();
      } finally {
        if (madeDirs.delete(dir)) rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** A plain HTTP call to the server (for shapes and status codes no client library exposes). */
export async function call(base: string, method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {}) {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers['x-vault-token'] = opts.token;
  let body: string | undefined = opts.rawBody;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${base}/v1/${path}`, { method, headers, body });
  const text = await res.text();
  let json: any;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, json, text, headers: res.headers };
}
