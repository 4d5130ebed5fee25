// Shared helpers for the benchmarks: child servers, autocannon runs, a TCP sink, formatting.
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';

export const root = new URL('..', import.meta.url).pathname;

/** Starts a child process and waits for its `Api Address:` (and `Root Token:`) lines. */
export function startChild(args, { env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    const onData = (chunk) => {
      out += chunk.toString();
      const addr = /Api Address: (\S+)/.exec(out);
      const needsToken = args.includes('-dev');
      const token = /Root Token: (\S+)/.exec(out);
      if (addr && (!needsToken || token)) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, address: addr[1], token: token?.[1], stop: () => stopChild(child) });
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}: ${out}`)));
  });
}

function stopChild(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

export async function load({ url, method = 'GET', headers = {}, body, duration = 5, connections = 32 }) {
  const result = await autocannon({ url, method, headers, body, duration, connections, pipelining: 1 });
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${method} ${url}: ${result.non2xx} non-2xx and ${result.errors} errors out of ${result.requests.total}`);
  }
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, total: result.requests.total };
}

export async function api(address, token, method, path, body) {
  const res = await fetch(`${address}/v1/${path}`, {
    method,
    headers: { 'x-vault-token': token, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? undefined : res.json();
}

export const fmt = (n, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
