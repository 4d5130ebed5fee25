/**
 * The HCL parser's thread (hcl-parser.ts): loads HashiCorp's parser (Go compiled to WebAssembly)
 * once, says it is ready, then parses one text per message and answers with the document as JSON
 * text, or with the parser's error and whether the parser is still fit for another text.
 */
import { parentPort } from 'node:worker_threads';
import { parse } from '@cdktf/hcl2json';
import type { HclReply, HclRequest } from './hcl-parser.js';

const port = parentPort!;

// Instantiating the WebAssembly module is most of a first parse's time; done before any deadline runs.
await parse('ready.hcl', '');
port.postMessage({ kind: 'ready' } satisfies HclReply);

port.on('message', async ({ filename, text }: HclRequest) => {
  let reply: HclReply;
  try {
    reply = { kind: 'parsed', json: JSON.stringify(await parse(filename, text)) };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    // The parser's diagnostics come as a plain Error. Anything else (a RangeError when Go's stack
    // overflows, "Go program has already exited") leaves the Go runtime unfit for another text.
    const fit = err instanceof Error && err.constructor === Error && !/Go program has already exited/.test(message);
    reply = { kind: 'refused', message, fit };
  }
  port.postMessage(reply);
});
