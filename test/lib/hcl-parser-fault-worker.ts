/**
 * Stands in for the HCL parser's worker (src/lib/hcl-parser-worker.ts), failing as a text asks:
 * "hang" is never answered, "exit" ends the thread, "throw" throws out of the thread, "unfit"
 * is refused as by a parser whose stack overflowed, "invalid" as by the parser's diagnostics.
 * Any other text is answered with `{ text }`.
 */
import { parentPort } from 'node:worker_threads';
import type { HclReply, HclRequest } from '../../src/lib/hcl-parser.js';

const port = parentPort!;
port.postMessage({ kind: 'ready' } satisfies HclReply);
port.on('message', ({ text }: HclRequest) => {
  if (text === 'hang') return;
  if (text === 'exit') process.exit(7);
  if (text === 'throw') throw new Error('boom');
  if (text === 'unfit') return port.postMessage({ kind: 'refused', message: 'Maximum call stack size exceeded', fit: false } satisfies HclReply);
  if (text === 'invalid') return port.postMessage({ kind: 'refused', message: 'parse config: [x.hcl:1,1-2: Argument or block definition required]', fit: true } satisfies HclReply);
  port.postMessage({ kind: 'parsed', json: JSON.stringify({ text }) } satisfies HclReply);
});
