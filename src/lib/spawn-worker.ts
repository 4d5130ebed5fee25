/**
 * Starts a worker thread: the built `.js` beside the caller; when run from
 * source (tests, `tsx`), the `.ts` loaded through tsx, which a worker thread does not inherit
 * from its parent.
 */
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** `name` is the worker's module beside `callerUrl` (the caller's `import.meta.url`), without extension. */
export function spawnWorker(callerUrl: string, name: string, workerData: unknown): Worker {
  const source = extname(fileURLToPath(callerUrl)) === '.ts';
  const url = new URL(`./${name}${source ? '.ts' : '.js'}`, callerUrl);
  if (!source) return new Worker(url, { workerData });
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(url.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
}
