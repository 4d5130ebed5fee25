/**
 * An S3 endpoint that misbehaves cannot hold a trail's delivery or grow the server: an attempt
 * that gets no answer is aborted at its deadline, and an answer whose body never ends is cut at
 * S3_DELIVERY_RESPONSE_BYTES (the SDK gathers a whole answer in memory: ~100 MB/s, until the
 * process died). Both fail the PUT, which the writer keeps pending for the next delivery.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { s3Destination, S3_DELIVERY_RESPONSE_BYTES } from '../../src/trail/delivery/s3-destination.js';

async function endpoint(answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  server.on('connection', (socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, server };
}

const put = (url: string) => s3Destination({
  endpoint: url, forcePathStyle: true, region: 'us-east-1', bucket: 'trail', credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' },
  retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 5 }, requestTimeoutMs: 300,
});

/** Settles with `p`, or fails the test when it has not settled after `ms` (instead of hanging it). */
async function settles<T>(p: Promise<T>, ms: number): Promise<PromiseSettledResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hung = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms); });
  try {
    return await Promise.race([Promise.allSettled([p]).then(([r]) => r), hung]);
  } finally {
    clearTimeout(timer);
  }
}

test('an endpoint that takes the PUT and never answers fails each attempt at its deadline', async () => {
  const hanging = await endpoint(() => undefined);
  const destination = put(hanging.url);
  try {
    const result = await settles(destination.put({ key: 'AWSLogs/1/x.json.gz', body: Buffer.from('x') }), 60_000);
    assert.equal(result.status, 'rejected');
  } finally {
    destination.close();
    hanging.server.closeAllConnections();
    hanging.server.close();
  }
});

test('an answer whose body never ends is cut at the bound and fails the PUT; its connection is closed', async () => {
  let written = 0;
  const endless = await endpoint((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/xml' });
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const pump = () => {
      while (!res.destroyed && written < 64 * S3_DELIVERY_RESPONSE_BYTES) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
    };
    pump();
  });
  const destination = put(endless.url);
  try {
    const result = await settles(destination.put({ key: 'AWSLogs/1/y.json.gz', body: Buffer.from('y') }), 60_000);
    assert.equal(result.status, 'rejected');
    // Two attempts, each cut shortly after the bound (socket buffers hold a little more).
    assert.ok(written < 2 * 8 * S3_DELIVERY_RESPONSE_BYTES, `${written} bytes were sent before the answers were cut`);
  } finally {
    destination.close();
    endless.server.closeAllConnections();
    endless.server.close();
  }
});
