/**
 * Sends batches over a connection that it (re)opens on demand: connects lazily, and on a
 * connection error destroys the connection, reconnects and retries the batch once before
 * rejecting. A listener that went away and came back is picked up without a restart.
 *
 * A peer that does not read is not given up on: a batch it does not take within the timeout is
 * that write's failure, its bytes stay queued on the connection (so they still arrive if the peer
 * catches up), and later batches fail at once while any are queued. Abandoning the connection
 * instead would throw away everything in its kernel buffers and let the next batch "succeed" on a
 * fresh one. A connection that ends badly reports what it lost (connection.ts); the sender adds it
 * up for metrics and health, and logs one warn line per episode and one info line on recovery,
 * plus one warn line for each connection a `reset` or `close` abandons with entries on it. A peer
 * that drops every connection would start an episode per batch (each batch "recovers" on a fresh
 * connection), so a lost connection is logged at most once per LOSS_LOG_INTERVAL_MS: the others
 * are counted all the same.
 *
 * A retried batch may reach the peer twice when the first attempt was partly delivered — the
 * audit trail prefers a duplicate line to a missing one.
 */
import type { DeliveryLosses, SinkContext } from '../types.js';
import { connect, ReceiverUnreachableError, WriteTimeoutError, type Connection, type ConnectionLoss } from './connection.js';
import { describeEndpoint, type Endpoint } from './endpoint.js';

export interface ReconnectingSender {
  send(messages: readonly string[]): Promise<void>;
  /** Drops the connection; the next send reconnects (used by `reopen`). */
  reset(): void;
  close(): void;
  /** What connections that ended badly took with them, cumulative. */
  losses(): DeliveryLosses;
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

/** How long after a lost connection was logged another one is only counted. */
export const LOSS_LOG_INTERVAL_MS = 60_000;

/** The peer has not taken earlier bytes: not worth a retry, the connection is kept. */
class BackloggedError extends Error {
  readonly code = 'EBACKLOG';
}

/** Errors a fresh connection would not cure: the batch fails and the connection is kept. */
const retriable = (err: unknown) => !(err instanceof WriteTimeoutError || err instanceof BackloggedError || err instanceof ReceiverUnreachableError);

export function createReconnectingSender(options: SenderOptions): ReconnectingSender {
  const { endpoint, timeoutMs, log } = options;
  const address = describeEndpoint(endpoint);
  const totals: DeliveryLosses = { connections: 0, abandonedEntries: 0, abandonedBytes: 0, possiblyLostEntries: 0, possiblyLostBytes: 0 };
  let conn: Connection | undefined;
  let failing = false;
  /** True while `reset` or `close` drops the connection (its loss is reported synchronously). */
  let abandoning = false;
  let lossLoggedAt = -Infinity;

  function startEpisode(reason: string, loss?: ConnectionLoss): void {
    if (failing) return;
    failing = true;
    log.warn({ device: options.path, address, reason, ...loss }, loss
      ? `${options.device} audit device lost a connection with entries on it`
      : `${options.device} audit device cannot write to its destination`);
  }

  function lost(loss: ConnectionLoss): void {
    totals.connections++;
    totals.abandonedEntries += loss.abandonedEntries;
    totals.abandonedBytes += loss.abandonedBytes;
    totals.possiblyLostEntries += loss.possiblyLostEntries;
    totals.possiblyLostBytes += loss.possiblyLostBytes;
    if (!abandoning) {
      if (failing || performance.now() - lossLoggedAt < LOSS_LOG_INTERVAL_MS) return;
      lossLoggedAt = performance.now();
      return startEpisode('the connection ended before the peer was known to have read every entry', loss);
    }
    // Dropped by a reopen, a disable or a replacement while the peer was not reading: an
    // operator's act, at most once per connection, so logged even within a failure episode.
    failing = true;
    log.warn({ device: options.path, address, reason: 'the connection was closed (reopen, disable or reload) while the peer had not read every entry', ...loss },
      `${options.device} audit device abandoned a connection with entries on it`);
  }

  /** Drops the connection on the operator's behalf (reopen, close). */
  const abandon = () => {
    abandoning = true;
    try {
      drop();
    } finally {
      abandoning = false;
    }
  };

  const drop = () => {
    conn?.destroy();
    conn = undefined;
  };

  async function attempt(messages: readonly string[]): Promise<void> {
    if (!conn?.alive) {
      drop();
      conn = await connect(endpoint, timeoutMs, lost);
    }
    const current = conn;
    if (current.backlog > 0) throw new BackloggedError(`the peer has not taken ${current.backlog} bytes written earlier`);
    const failed = (err: unknown): never => {
      if (!retriable(err)) throw err; // the connection stays: the peer may catch up or come back
      current.destroy();
      if (conn === current) conn = undefined;
      throw err;
    };
    let pending: Promise<void> | undefined;
    try {
      pending = current.send(messages, timeoutMs);
    } catch (err) {
      failed(err);
    }
    // Undefined: the kernel took the whole batch at once, so there is nothing to wait for.
    if (pending) await pending.catch(failed);
  }

  return {
    async send(messages) {
      try {
        try {
          await attempt(messages);
        } catch (err) {
          if (!retriable(err)) throw err;
          await attempt(messages);
        }
      } catch (err) {
        const reason = !retriable(err)
          ? (err as Error).message
          : (err as NodeJS.ErrnoException).code ?? (err as Error).message;
        startEpisode(reason);
        throw new Error(`${options.device} audit device: write to ${address} failed: ${reason}`, { cause: err });
      }
      if (failing) {
        failing = false;
        log.info({ device: options.path, address }, `${options.device} audit device writes again`);
      }
    },
    reset: abandon,
    close: abandon,
    losses: () => ({ ...totals }),
  };
}
