/** Shared test fixtures for the audit sinks: a context, a recording logger, temp dirs, listeners. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../../src/lib/clock.js';
import type { DeviceOptions, SinkContext, SinkFactory } from '../../../src/audit/devices/types.js';
import { SealtrailError } from '../../../src/errors/index.js';

export interface LogRecord {
  level: 'warn' | 'info' | 'error';
  obj: object;
  msg: string;
}

export function testContext(options: DeviceOptions, clock: Clock = systemClock, path = 'test/'): SinkContext & { logs: LogRecord[] } {
  const logs: LogRecord[] = [];
  return {
    path,
    options,
    clock,
    logs,
    log: {
      warn: (obj, msg) => { logs.push({ level: 'warn', obj, msg }); },
      info: (obj, msg) => { logs.push({ level: 'info', obj, msg }); },
      error: (obj, msg) => { logs.push({ level: 'error', obj, msg }); },
    },
  };
}

/** `create` refuses each row's options with exactly that message (an 'invalid' SealtrailError). */
export async function assertRefusesOptions(create: SinkFactory, table: ReadonlyArray<[DeviceOptions, string]>): Promise<void> {
  for (const [options, message] of table) {
    await assert.rejects(create(testContext(options)), (err: unknown) => {
      assert.ok(err instanceof SealtrailError, message);
      assert.equal(err.kind, 'invalid');
      assert.equal(err.message, message);
      return true;
    });
  }
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'sealtrail-sink-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `n` distinct lines `line-0000\n` ... in order. */
export const numberedLines = (n: number, tag = 'line') =>
  Array.from({ length: n }, (_, i) => `${tag}-${String(i).padStart(5, '0')}\n`);

/** A stream listener (TCP on 127.0.0.1 or a unix socket) that collects everything it receives. */
export interface StreamListener {
  server: Server;
  port: number;
  received(): string;
  sockets: Set<Socket>;
  /** Stops listening and drops current connections. */
  stop(): Promise<void>;
}

export async function listenStream(where: { port?: number; path?: string } = {}): Promise<StreamListener> {
  const chunks: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => chunks.push(d));
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (where.path) server.listen(where.path, resolve);
    else server.listen(where.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  return {
    server,
    sockets,
    port: typeof address === 'object' && address ? address.port : 0,
    received: () => chunks.join(''),
    stop: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    }),
  };
}

/** Polls until `check` is true (for data arriving asynchronously on a listener). */
export async function eventually(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The system error codes along an error's cause chain (what the audit manager reads). */
export function causeCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e = err; e instanceof Error; e = e.cause) {
    const code = (e as NodeJS.ErrnoException).code;
    if (typeof code === 'string') codes.push(code);
  }
  return codes;
}
