// Shared helpers for the benchmarks: child servers, autocannon runs, a TCP sink, formatting.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import autocannon from 'autocannon';

export const root = new URL('..', import.meta.url).pathname;

/**
 * Starts a child process and waits for its `Api Address:` (and `Root Token:`) lines, and for a
 * line matching `until` when given; `banner` is what it printed up to then.
 */
export function startChild(args, { env, until } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
    let out = '';
    const onData = (chunk) => {
      out += chunk.toString();
      const addr = /Api Address: (\S+)/.exec(out);
      const needsToken = args.includes('-dev');
      const token = /Root Token: (\S+)/.exec(out);
      if (addr && (!needsToken || token) && (!until || until.test(out))) {
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve({ child, address: addr[1], token: token?.[1], banner: out, stop: () => stopChild(child) });
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

/** Linux's USER_HZ (the unit of /proc/<pid>/stat CPU times): 100 on every architecture Node supports. */
const TICK_US = 10_000;

/**
 * CPU time a process (all its threads) has used so far, in µs, split into user and kernel time;
 * undefined where /proc is not available.
 */
export function processCpu(pid) {
  return cpuOf(`/proc/${pid}/stat`);
}

/** The same for one thread: the main thread's id is the process's (the thread answering requests). */
export function threadCpu(pid, tid = pid) {
  return cpuOf(`/proc/${pid}/task/${tid}/stat`);
}

function cpuOf(statPath) {
  try {
    const stat = readFileSync(statPath, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { user: Number(fields[11]) * TICK_US, system: Number(fields[12]) * TICK_US };
  } catch {
    return undefined;
  }
}

/**
 * `load`, plus the server process's CPU per request during the run (µs, user and system, all its
 * threads) and the share of it its main thread (the one answering requests) used, `cpuMain`.
 */
export async function loadMeasuringServer(pid, options) {
  const before = processCpu(pid);
  const mainBefore = threadCpu(pid);
  const result = await load(options);
  const after = processCpu(pid);
  const mainAfter = threadCpu(pid);
  if (!before || !after) return result;
  const perRequest = (a, b) => (b.user + b.system - a.user - a.system) / result.total;
  return {
    ...result,
    cpuUser: (after.user - before.user) / result.total, cpuSystem: (after.system - before.system) / result.total,
    cpuMain: mainBefore && mainAfter ? perRequest(mainBefore, mainAfter) : undefined,
  };
}

/**
 * What this machine's kernel charges for appending to a file, against rewriting pages it already
 * caches: µs of wall time per KiB written, each from `count` writes of `chunk` bytes (about the
 * size of one batch of a file audit device under load). Appending allocates a new page-cache page
 * per 4 KiB, a rewrite only copies; how much the difference is depends on the machine (4–10× on
 * this project's virtual machines), and it is a large part of what a file audit device costs.
 */
export function pageCacheProbe(dir, { chunk = 24 * 1024, count = 2000 } = {}) {
  const path = join(dir, 'page-cache-probe.log');
  const buf = Buffer.alloc(chunk, 0x61);
  const timeWrites = (flags, position) => {
    const fd = openSync(path, flags);
    try {
      const start = process.hrtime.bigint();
      for (let i = 0; i < count; i++) writeSync(fd, buf, 0, chunk, position);
      return Number(process.hrtime.bigint() - start) / 1000 / ((count * chunk) / 1024);
    } finally {
      closeSync(fd);
    }
  };
  try {
    const appendUsPerKib = timeWrites('a', null);
    const rewriteUsPerKib = timeWrites('r+', 0);
    return { appendUsPerKib, rewriteUsPerKib };
  } finally {
    unlinkSync(path);
  }
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
