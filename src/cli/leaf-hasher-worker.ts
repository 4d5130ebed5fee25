/**
 * The verifier's second thread, for a log in a directory: reads an entry bundle and hashes its
 * entries as leaves, then hands both to the verifying thread (transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { bundleRanges, hashLeavesHere, parseLogPath } from '../ledger/index.js';
import { directoryFetcher } from './ledger-fetch.js';
import type { BundleReply, BundleRequest } from './leaf-hasher.js';

const port = parentPort;
if (port) {
  const fetch = directoryFetcher((workerData as { dir: string }).dir);
  port.on('message', (request: BundleRequest) => {
    fetch(request.path).then(async (fetched) => {
      const data = Buffer.from(fetched.buffer, fetched.byteOffset, fetched.byteLength);
      const parsed = parseLogPath(request.path);
      const { starts, ends } = bundleRanges(data, parsed.kind === 'entries' ? parsed.bundle.width : undefined);
      const hashes = await hashLeavesHere(data, starts, ends);
      const reply: BundleReply = { id: request.id, data, hashes };
      port.postMessage(reply, [data.buffer as ArrayBuffer, hashes.buffer as ArrayBuffer]);
    }, (err: unknown) => {
      const reply: BundleReply = { id: request.id, error: err instanceof Error ? err.message : String(err) };
      port.postMessage(reply);
    });
  });
}
