/**
 * Sends batches over a connection that it (re)opens on demand: connects lazily, and on an error or
 * a write that exceeds the timeout it destroys the connection, reconnects and retries once before
 * rejecting. The next batch starts from a fresh connection, so a listener that went away and came
 * back is picked up without a restart.
 *
 * A retried batch may reach the peer twice when the first attempt was partly delivered — the
 * audit trail prefers a duplicate line to a missing one.
 */
import type { SinkContext } from '../types.js';
import { connect, type Connection } from './connection.js';
import { describeEndpoint, type Endpoint } from './endpoint.js';

export interface ReconnectingSender {
  send(messages: readonly string[]): Promise<void>;
  /** Drops the connection; the next send reconnects (used by `reopen`). */
  reset(): void;
  close(): void;
}

export interface SenderOptions {
  /** e.g. "socket" — used in error messages. */
  device: string;
  /** The device's mount path, for log lines. */
  path: string;
  endpoint: Endpoint;
  timeoutMs: number;
  log: SinkContext['log'];
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string, onTimeout: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new Error(`${what} timed out after ${ms}ms`));
    }, ms);
    work.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (err: unknown) => { clearTimeout(timer); reject(err); },
    );
  });
}

export function createReconnectingSender(options: SenderOptions): ReconnectingSender {
  const { endpoint, timeoutMs, log } = options;
  const address = describeEndpoint(endpoint);
  let conn: Connection | undefined;
  let failing = false;

  const drop = () => {
    conn?.destroy();
    conn = undefined;
  };

  async function attempt(messages: readonly string[]): Promise<void> {
    if (!conn?.alive) {
      drop();
      conn = await connect(endpoint, timeoutMs);
    }
    const current = conn;
    const failed = (err: unknown): never => {
      current.destroy();
      if (conn === current) conn = undefined;
      throw err;
    };
    let pending: Promise<void> | undefined;
    try {
      pending = current.send(messages);
    } catch (err) {
      failed(err);
    }
    // Undefined: the kernel took the whole batch at once, so there is nothing to time out.
    if (pending) await withTimeout(pending, timeoutMs, `write to ${address}`, () => current.destroy()).catch(failed);
  }

  return {
    async send(messages) {
      try {
        try {
          await attempt(messages);
        } catch {
          await attempt(messages);
        }
      } catch (err) {
        const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        if (!failing) {
          failing = true;
          log.warn({ device: options.path, address, reason }, `${options.device} audit device cannot write to its destination`);
        }
        throw new Error(`${options.device} audit device: write to ${address} failed: ${reason}`, { cause: err });
      }
      if (failing) {
        failing = false;
        log.info({ device: options.path, address }, `${options.device} audit device writes again`);
      }
    },
    reset: drop,
    close: drop,
  };
}
