/** An HCL parser over the fault worker (hcl-parser-fault-worker.ts), counting the workers it starts. */
import { createHclParser, useHclParser, type HclParser, type HclParserSettings } from '../../src/lib/hcl-parser.js';
import { spawnWorker } from '../../src/lib/spawn-worker.js';

export function faultParser(settings: HclParserSettings = {}): { parser: HclParser; started: () => number } {
  let count = 0;
  const parser = createHclParser({ ...settings, spawn: () => { count++; return spawnWorker(import.meta.url, 'hcl-parser-fault-worker', undefined); } });
  return { parser, started: () => count };
}

/**
 * Runs `fn` with the process's HCL parser replaced by a fault parser whose parses end after
 * `timeoutMs` (the fault worker never answers "hang" and ends its thread over "exit"); the usual
 * parser is back afterwards, and the fault parser closed.
 */
export async function withFaultParser(timeoutMs: number, fn: () => Promise<void>): Promise<void> {
  const { parser } = faultParser({ timeoutMs });
  const previous = useHclParser(parser);
  try {
    await fn();
  } finally {
    useHclParser(previous);
    await parser.close();
  }
}
