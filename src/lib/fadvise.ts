/**
 * Flushing a file's written data and dropping it from the page cache —
 * `fdatasync` + `posix_fadvise(POSIX_FADV_DONTNEED)` — off the event loop. Node's `fs` has no
 * fadvise, so it comes from the small `fadvise` native binding (an optional dependency), called
 * on one shared worker thread: freeing cached pages costs ~0.13 ms per MiB on this project's
 * machines, time the event loop would otherwise take from requests. Undefined where the binding
 * is not available (another OS, or an install that could not build it); callers then leave the
 * page cache to the kernel.
 *
 * @example
 *   await flushAndDropPages?.(fd, 0, 64 << 20); // the first 64 MiB are on disk and out of the cache
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const POSIX_FADV_DONTNEED = 4; // Linux

interface FadviseBinding {
  posix_fadvise(fd: number, offset: number, length: number, advice: number): number;
  failed_to_load?: boolean;
}

/** The binding's resolved path, if it loads here. */
function bindingPath(): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const require = createRequire(import.meta.url);
    const path = require.resolve('fadvise');
    return (require(path) as FadviseBinding).failed_to_load ? undefined : path;
  } catch {
    return undefined;
  }
}

// The worker's whole program: one request at a time, answered with its id.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { fdatasyncSync } = require('node:fs');
const { posix_fadvise } = require(workerData.binding);
parentPort.on('message', ({ id, fd, offset, length }) => {
  try {
    fdatasyncSync(fd);
    const errno = posix_fadvise(fd, offset, length, ${POSIX_FADV_DONTNEED});
    parentPort.postMessage({ id, errno });
  } catch (err) {
    parentPort.postMessage({ id, code: err.code || 'EIO', message: err.message });
  }
});
`;

interface Reply { id: number; errno?: number; code?: string; message?: string }

function createReleaser(binding: string): (fd: number, offset: number, length: number) => Promise<void> {
  let worker: Worker | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve(): void; reject(err: Error): void }>();

  const failAll = (err: Error) => {
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  function start(): Worker {
    const w = new Worker(WORKER_SOURCE, { eval: true, workerData: { binding } });
    w.on('message', ({ id, errno, code, message }: Reply) => {
      const p = pending.get(id);
      if (!p) return;
      pending.delete(id);
      if (pending.size === 0) w.unref();
      if (code) p.reject(Object.assign(new Error(message ?? code), { code }));
      else if (errno) p.reject(Object.assign(new Error(`posix_fadvise failed (errno ${errno})`), { code: 'EFADVISE', errno }));
      else p.resolve();
    });
    w.on('error', failAll);
    w.on('exit', () => {
      if (worker === w) worker = undefined;
      failAll(Object.assign(new Error('page-cache worker exited'), { code: 'EWORKER' }));
    });
    // Idle, it never keeps the process alive; busy, it does, so that a close waiting for a
    // release is not cut short. (Unref'd after the listeners: adding one refs it again.)
    w.unref();
    return w;
  }

  return (fd, offset, length) =>
    new Promise<void>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      const w = (worker ??= start());
      if (pending.size === 1) w.ref();
      w.postMessage({ id, fd, offset, length });
    });
}

const binding = bindingPath();

/**
 * Flushes `fd`'s data to disk, then drops [offset, offset + length) from the page cache, on a
 * worker thread. The caller must keep `fd` open until the promise settles.
 */
export const flushAndDropPages: ((fd: number, offset: number, length: number) => Promise<void>) | undefined =
  binding ? createReleaser(binding) : undefined;
