/** An HCL parser over the fault worker (hcl-parser-fault-worker.ts), counting the workers it starts. */
import { createHclParser, type HclParser, type HclParserSettings } from '../../src/lib/hcl-parser.js';
import { spawnWorker } from '../../src/lib/spawn-worker.js';

export function faultParser(settings: HclParserSettings = {}): { parser: HclParser; started: () => number } {
  let count = 0;
  const parser = createHclParser({ ...settings, spawn: () => { count++; return spawnWorker(import.meta.url, 'hcl-parser-fault-worker', undefined); } });
  return { parser, started: () => count };
}
