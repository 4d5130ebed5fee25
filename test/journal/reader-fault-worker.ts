/** A journal reader worker for tests: `hang` is never answered (a query that runs on), `crash` exits, anything else gets one row. */
import { parentPort } from 'node:worker_threads';
import type { ReaderReply, ReaderRequest } from '../../src/journal/reader/reader.js';

const port = parentPort!;
port.postMessage({ kind: 'ready' } satisfies ReaderReply);
port.on('message', ({ sql }: ReaderRequest) => {
  if (sql === 'hang') return;
  if (sql === 'crash') process.exit(3);
  port.postMessage({ kind: 'rows', rows: [{ sql }] } satisfies ReaderReply);
});
