/**
 * HCL text parsed off the thread that answers requests: HashiCorp's parser (@cdktf/hcl2json, Go
 * compiled to WebAssembly) runs in a worker thread, one text at a time, each within a deadline.
 * A text that outlasts its deadline, a parser error that leaves the Go runtime unfit (its stack
 * overflowed) and a worker that dies all refuse that text with an HclParseError, and the worker is
 * terminated: the next text is parsed by a fresh one. The worker starts with the first parse and
 * never keeps the process alive while no parse waits.
 *
 * await parseHcl('policy.hcl', 'path "a" { capabilities = ["read"] }', { timeoutMs: 5000 })
 *   → { path: [{ a: [{ capabilities: ['read'] }] }] }
 */
import type { Worker } from 'node:worker_threads';
import { spawnWorker } from './spawn-worker.js';

/** The deadline of a parse unless its caller sets one. */
export const HCL_PARSE_TIMEOUT_MS = 5000;
/** How long a new worker may take to load the parser, before its first parse's deadline runs. */
const STARTUP_MS = 30_000;

/** Why a text was refused: the parser's diagnostics, its deadline, or a parser that failed. */
export type HclFailure = 'invalid' | 'timeout' | 'failed';

export class HclParseError extends Error {
  constructor(message: string, readonly reason: HclFailure) {
    super(message);
    this.name = 'HclParseError';
  }
}

/** To the worker: one text to parse. */
export interface HclRequest { filename: string; text: string }
/** From the worker: ready for texts, a document (as JSON text), or the parser's error. */
export type HclReply =
  | { kind: 'ready' }
  | { kind: 'parsed'; json: string }
  | { kind: 'refused'; message: string; fit: boolean };

export interface HclParseOptions {
  /** Milliseconds the parse may take once the worker has it. */
  timeoutMs?: number;
}

export interface HclParser {
  parse(filename: string, text: string, options?: HclParseOptions): Promise<unknown>;
  /** Terminates the worker; texts still waiting are refused. */
  close(): Promise<void>;
}

export interface HclParserSettings {
  /** Starts a worker that speaks HclRequest/HclReply (tests give one that hangs or dies). */
  spawn?: () => Worker;
  startupMs?: number;
  /** The deadline of every parse, whatever its caller asks (tests). */
  timeoutMs?: number;
}

interface Job {
  filename: string;
  text: string;
  timeoutMs: number;
  resolve: (doc: unknown) => void;
  reject: (err: HclParseError) => void;
}

export function createHclParser(settings: HclParserSettings = {}): HclParser {
  const spawn = settings.spawn ?? (() => spawnWorker(import.meta.url, 'hcl-parser-worker', undefined));
  const startupMs = settings.startupMs ?? STARTUP_MS;
  const queue: Job[] = [];
  let worker: Worker | undefined;
  let ready = false;
  let running: Job | undefined;
  let timer: NodeJS.Timeout | undefined;

  /** Terminates the worker; its later events are ignored (each listener checks it is current). */
  const retire = () => {
    const w = worker;
    worker = undefined;
    ready = false;
    if (w) void w.terminate();
  };

  const finish = (outcome: { doc: unknown } | { error: HclParseError }) => {
    const job = running;
    running = undefined;
    clearTimeout(timer);
    timer = undefined;
    if (job) {
      if ('error' in outcome) job.reject(outcome.error);
      else job.resolve(outcome.doc);
    }
    next();
  };

  const fail = (message: string, reason: HclFailure) => {
    retire();
    finish({ error: new HclParseError(message, reason) });
  };

  const dispatch = () => {
    const job = running!;
    clearTimeout(timer);
    timer = setTimeout(() => fail(`the HCL parser did not finish within ${job.timeoutMs} ms`, 'timeout'), job.timeoutMs);
    worker!.postMessage({ filename: job.filename, text: job.text } satisfies HclRequest);
  };

  const start = () => {
    const w = spawn();
    worker = w;
    ready = false;
    w.on('message', (reply: HclReply) => {
      if (w !== worker) return;
      if (reply.kind === 'ready') {
        ready = true;
        if (running) dispatch();
        return;
      }
      if (!running) return;
      if (reply.kind === 'parsed') return finish({ doc: JSON.parse(reply.json) });
      if (!reply.fit) return fail(`the HCL parser failed: ${reply.message}`, 'failed');
      finish({ error: new HclParseError(reply.message, 'invalid') });
    });
    w.on('error', (err) => {
      if (w === worker) fail(`the HCL parser failed: ${err.message}`, 'failed');
    });
    w.on('exit', (code) => {
      if (w === worker) fail(`the HCL parser stopped (exit code ${code})`, 'failed');
    });
  };

  const next = () => {
    if (running) return;
    const job = queue.shift();
    if (!job) {
      // Idle: the worker waits for the next text without holding the process open.
      worker?.unref();
      return;
    }
    running = job;
    if (!worker) start();
    worker!.ref();
    if (ready) dispatch();
    else timer = setTimeout(() => fail(`the HCL parser did not start within ${startupMs} ms`, 'failed'), startupMs);
  };

  return {
    parse(filename, text, options = {}) {
      return new Promise((resolve, reject) => {
        const timeoutMs = settings.timeoutMs ?? options.timeoutMs ?? HCL_PARSE_TIMEOUT_MS;
        queue.push({ filename, text, timeoutMs, resolve, reject });
        next();
      });
    },
    async close() {
      const w = worker;
      retire();
      for (const job of queue.splice(0)) job.reject(new HclParseError('the HCL parser was closed', 'failed'));
      if (running) finish({ error: new HclParseError('the HCL parser was closed', 'failed') });
      if (w) await w.terminate();
    },
  };
}

let shared: HclParser | undefined;

/** Replaces the process's parser (tests give one whose worker hangs or dies); returns the one it replaced. */
export function useHclParser(parser: HclParser | undefined): HclParser | undefined {
  const previous = shared;
  shared = parser;
  return previous;
}

/** Parses HCL text in the process's parser worker; throws HclParseError. */
export function parseHcl(filename: string, text: string, options?: HclParseOptions): Promise<unknown> {
  shared ??= createHclParser();
  return shared.parse(filename, text, options);
}
