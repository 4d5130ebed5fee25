/**
 * A worker thread that does one job at a time, each within a deadline: the HCL parser
 * (hcl-parser.ts), the journal's reader (journal/reader/) and the event store's checkpoints
 * (trail/store/checkpointer.ts) run on one. A job that outlasts its
 * deadline, a worker that dies or reports an error, and a reply that says the worker is unfit for
 * another job all end that job with an error and terminate the worker: the next job gets a fresh
 * one. The worker starts with the first job and never keeps the process alive while no job waits.
 *
 * Jobs wait in one queue per owner (the reader a journal query is for), served in turn: an
 * owner with many jobs waiting holds up another's by at most one of its own.
 *
 * The worker's protocol: `{ kind: 'ready' }` once it can take jobs, then one reply per request
 * message, in order; `settle` turns a reply into the job's outcome.
 */
import type { Worker } from 'node:worker_threads';
import { createTurnQueue } from './turn-queue.js';

/** Why a job ended without its worker's answer: its deadline, or a worker that failed. */
export type WorkerFailure = 'timeout' | 'failed';

/** What a reply settles: the job's value, or its error (and whether the worker may take another job). */
export type JobOutcome<T> = { value: T } | { error: Error; retire?: boolean };

export interface SerialWorkerSettings {
  spawn(): Worker;
  /** How long a new worker may take to say it is ready, before its first job's deadline runs. */
  startupMs: number;
  /** Names the worker in messages ("the HCL parser"). */
  name: string;
  /** The error a job ends with when the worker did not answer it: `message` names the worker and what happened. */
  failure(message: string, reason: WorkerFailure): Error;
}

export interface SerialWorker<Request> {
  /** `owner`: whose turn the job waits for (jobs without one share a turn). */
  run<T>(request: Request, timeoutMs: number, settle: (reply: unknown) => JobOutcome<T>, owner?: string): Promise<T>;
  /** Terminates the worker; jobs still waiting end with a `failed` error. */
  close(): Promise<void>;
}

interface Job<Request> {
  request: Request;
  timeoutMs: number;
  settle: (reply: unknown) => JobOutcome<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
}

export function createSerialWorker<Request>(settings: SerialWorkerSettings): SerialWorker<Request> {
  const { name } = settings;
  const queue = createTurnQueue<Job<Request>>();
  let worker: Worker | undefined;
  let ready = false;
  let running: Job<Request> | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** Terminates the worker; its later events are ignored (each listener checks it is current). */
  const retire = () => {
    const w = worker;
    worker = undefined;
    ready = false;
    if (w) void w.terminate();
  };

  const finish = (outcome: JobOutcome<unknown>) => {
    const job = running;
    running = undefined;
    clearTimeout(timer);
    timer = undefined;
    if (job) {
      if ('error' in outcome) job.reject(outcome.error);
      else job.resolve(outcome.value);
    }
    next();
  };

  const fail = (message: string, reason: WorkerFailure) => {
    retire();
    finish({ error: settings.failure(message, reason) });
  };

  const dispatch = () => {
    const job = running!;
    clearTimeout(timer);
    timer = setTimeout(() => fail(`${name} did not finish within ${job.timeoutMs} ms`, 'timeout'), job.timeoutMs);
    worker!.postMessage(job.request);
  };

  const start = () => {
    const w = settings.spawn();
    worker = w;
    ready = false;
    w.on('message', (reply: unknown) => {
      if (w !== worker) return;
      if ((reply as { kind?: unknown } | null)?.kind === 'ready') {
        ready = true;
        if (running) dispatch();
        return;
      }
      if (!running) return;
      let outcome: JobOutcome<unknown>;
      try {
        outcome = running.settle(reply);
      } catch (err) {
        outcome = { error: err as Error };
      }
      if ('error' in outcome && outcome.retire) retire();
      finish(outcome);
    });
    w.on('error', (err) => {
      if (w === worker) fail(`${name} failed: ${err.message}`, 'failed');
    });
    w.on('exit', (code) => {
      if (w === worker) fail(`${name} stopped (exit code ${code})`, 'failed');
    });
  };

  const next = () => {
    if (running) return;
    const job = queue.take();
    if (!job) {
      // Idle: the worker waits for the next job without holding the process open.
      worker?.unref();
      return;
    }
    running = job;
    if (!worker) start();
    worker!.ref();
    if (ready) dispatch();
    else timer = setTimeout(() => fail(`${name} did not start within ${settings.startupMs} ms`, 'failed'), settings.startupMs);
  };

  return {
    run<T>(request: Request, timeoutMs: number, settle: (reply: unknown) => JobOutcome<T>, owner = ''): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push(owner, { request, timeoutMs, settle, resolve: resolve as (value: unknown) => void, reject });
        next();
      });
    },
    async close() {
      const w = worker;
      retire();
      const closed = () => settings.failure(`${name} was closed`, 'failed');
      for (const job of queue.drain()) job.reject(closed());
      if (running) finish({ error: closed() });
      if (w) await w.terminate();
    },
  };
}
