/**
 * `ledger verify --dir` on two threads: reading the entry bundles and hashing their entries as
 * leaves — most of a verifier's work — happen on a second thread, while the verifying thread
 * compares tiles and builds the levels above. A bundle and its hashes come back transferred (no
 * copy); the verifier then finds the hashes already made for the bundle it fetched.
 */
import type { Worker } from 'node:worker_threads';
import { HASH_SIZE, parseLogPath, type LeafHasher, type LogFetcher } from '../ledger/index.js';
import { spawnWorker } from '../lib/spawn-worker.js';
import { directoryFetcher } from './ledger-fetch.js';

export interface BundleRequest {
  id: number;
  path: string;
}

export type BundleReply = { id: number; data: Uint8Array; hashes: Uint8Array } | { id: number; error: string };

export interface ThreadedDirectory {
  fetch: LogFetcher;
  /** The hashes the thread made for a bundle fetched through `fetch`; others are hashed here. */
  hashLeaves: LeafHasher;
  close(): Promise<void>;
}

function isBundlePath(path: string): boolean {
  try {
    return parseLogPath(path).kind === 'entries';
  } catch {
    return false;
  }
}

export function threadedDirectory(dir: string, hashHere: LeafHasher): ThreadedDirectory {
  const local = directoryFetcher(dir);
  const worker: Worker = spawnWorker(import.meta.url, 'leaf-hasher-worker', { dir });
  const waiting = new Map<number, { resolve(reply: BundleReply): void; reject(err: Error): void }>();
  // Keyed by the bundle's memory, which stays the same whatever view the verifier makes of it.
  const made = new WeakMap<ArrayBufferLike, Buffer>();
  let nextId = 0;
  let failed: Error | undefined;
  const fail = (err: Error) => {
    failed ??= err;
    for (const w of waiting.values()) w.reject(failed);
    waiting.clear();
  };
  worker.on('message', (reply: BundleReply) => {
    const w = waiting.get(reply.id);
    waiting.delete(reply.id);
    w?.resolve(reply);
  });
  worker.on('error', (err) => fail(new Error(`the hashing thread failed: ${err.message}`)));
  const exited = new Promise<void>((resolve) => worker.once('exit', () => {
    fail(new Error('the hashing thread stopped'));
    resolve();
  }));

  const fetch: LogFetcher = async (path) => {
    if (!isBundlePath(path)) return local(path);
    if (failed) throw failed;
    const id = nextId++;
    const reply = await new Promise<BundleReply>((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      worker.postMessage({ id, path } satisfies BundleRequest);
    });
    if ('error' in reply) throw new Error(reply.error);
    const data = Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength);
    made.set(data.buffer, Buffer.from(reply.hashes.buffer, reply.hashes.byteOffset, reply.hashes.byteLength));
    return data;
  };
  const hashLeaves: LeafHasher = async (data, starts, ends) => {
    const hashes = made.get(data.buffer);
    made.delete(data.buffer);
    // The thread parsed the bundle as the verifier does; anything else is hashed here.
    return hashes && hashes.length === starts.length * HASH_SIZE ? hashes : hashHere(data, starts, ends);
  };
  return {
    fetch,
    hashLeaves,
    async close() {
      await worker.terminate();
      await exited;
    },
  };
}
