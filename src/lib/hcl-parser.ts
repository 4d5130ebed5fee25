/**
 * HCL text parsed off the thread that answers requests: HashiCorp's parser (@cdktf/hcl2json, Go
 * compiled to WebAssembly) runs in a worker thread, one text at a time, each within a deadline
 * (serial-worker.ts).
 * A text that outlasts its deadline, a parser error that leaves the Go runtime unfit (its stack
 * overflowed) and a worker that dies all refuse that text with an HclParseError, and the worker is
 * terminated: the next text is parsed by a fresh one. The worker starts with the first parse and
 * never keeps the process alive while no parse waits.
 *
 * await parseHcl('policy.hcl', 'path "a" { capabilities = ["read"] }', { timeoutMs: 5000 })
 *   → { path: [{ a: [{ capabilities: ['read'] }] }] }
 */
import type { Worker } from 'node:worker_threads';
import { createSerialWorker, type JobOutcome, type WorkerFailure } from './serial-worker.js';
import { spawnWorker } from './spawn-worker.js';

/** The deadline of a parse unless its caller sets one. */
export const HCL_PARSE_TIMEOUT_MS = 5000;
/** How long a new worker may take to load the parser, before its first parse's deadline runs. */
const STARTUP_MS = 30_000;

/** Why a text was refused: the parser's diagnostics, its deadline, or a parser that failed. */
export type HclFailure = 'invalid' | WorkerFailure;

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

export function createHclParser(settings: HclParserSettings = {}): HclParser {
  const worker = createSerialWorker<HclRequest>({
    spawn: settings.spawn ?? (() => spawnWorker(import.meta.url, 'hcl-parser-worker', undefined)),
    startupMs: settings.startupMs ?? STARTUP_MS,
    name: 'the HCL parser',
    failure: (message, reason) => new HclParseError(message, reason),
  });
  const settle = (reply: unknown): JobOutcome<unknown> => {
    // 'ready' never reaches here (serial-worker.ts takes it).
    const r = reply as Exclude<HclReply, { kind: 'ready' }>;
    if (r.kind === 'parsed') return { value: JSON.parse(r.json) };
    if (!r.fit) return { error: new HclParseError(`the HCL parser failed: ${r.message}`, 'failed'), retire: true };
    return { error: new HclParseError(r.message, 'invalid') };
  };
  return {
    parse(filename, text, options = {}) {
      return worker.run({ filename, text }, settings.timeoutMs ?? options.timeoutMs ?? HCL_PARSE_TIMEOUT_MS, settle);
    },
    close: () => worker.close(),
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
