/**
 * Delivers batches of syslog messages over RELP and resolves only when the receiver acknowledged
 * every one of them (`rsp 200`). Batches go one at a time, so at most one batch — the device's
 * window — is unacknowledged at any moment.
 *
 * Within a batch's `write_timeout`:
 * - an acknowledged message is done and is never sent again;
 * - a message refused by the receiver (a status other than 200) fails the batch, and is not sent
 *   again;
 * - a message lost with its session (the connection closed, `serverclose`, a protocol error) is
 *   sent again, once, on a new session — librelp answers every message it took before it closes a
 *   session, so after a graceful close a lost message is one the receiver never took;
 * - when no answer came before the timeout, the session is dropped and the batch fails.
 * A message of a failed batch is never sent later: it counts as failed, and the request that
 * waited for it was refused.
 */
import type { SinkContext } from '../types.js';
import { openSession, SessionLost, type Answer, type RelpSession, type SessionTarget } from './session.js';

export interface RelpClientOptions {
  /** The device's mount path, for log lines. */
  path: string;
  target: SessionTarget;
  timeoutMs: number;
  log: SinkContext['log'];
}

export interface RelpClient {
  deliver(messages: readonly Buffer[]): Promise<void>;
  /** Closes the session politely (`close`); the next batch opens a new one. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Sessions tried per batch: the current one, and one new one for what it lost. */
const ATTEMPTS = 2;

function waitAtMost<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), Math.max(0, ms));
    void work.then((value) => { clearTimeout(timer); resolve(value); });
  });
}

export function createRelpClient(options: RelpClientOptions): RelpClient {
  const { target, timeoutMs, log } = options;
  const address = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  let session: RelpSession | undefined;
  let failing = false;

  async function sessionWithin(ms: number): Promise<RelpSession> {
    if (session?.alive) return session;
    session = undefined;
    session = await openSession(target, ms);
    return session;
  }

  /** Sends what is still unacknowledged; returns it, or throws when the batch cannot succeed. */
  async function attempt(unacked: readonly Buffer[], deadline: number): Promise<{ unacked: readonly Buffer[]; reason: string; cause?: unknown }> {
    let current: RelpSession;
    try {
      current = await sessionWithin(deadline - performance.now());
    } catch (err) {
      // Not connected, or the connection broke while opening: the next attempt opens another.
      if (err instanceof SessionLost) return { unacked, reason: err.message, cause: err };
      throw err;
    }
    const answers = await waitAtMost(Promise.all(current.send(unacked)), deadline - performance.now());
    if (answers === 'timeout') {
      current.destroy('timed out');
      throw new Error(`no answer within ${timeoutMs}ms`);
    }
    const failed = answers.filter((a): a is Exclude<Answer, { ok: true }> => !a.ok);
    const refused = failed.find((a) => !a.lost);
    if (refused) throw new Error(refused.reason);
    return { unacked: unacked.filter((_, i) => !answers[i].ok), reason: failed[0]?.reason ?? '' };
  }

  async function deliverWithin(messages: readonly Buffer[]): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let unacked = messages;
    let reason = '';
    let cause: unknown;
    for (let i = 0; i < ATTEMPTS && unacked.length > 0; i++) {
      if (performance.now() >= deadline) throw new Error(`no answer within ${timeoutMs}ms`);
      ({ unacked, reason, cause } = await attempt(unacked, deadline));
    }
    if (unacked.length > 0) throw new Error(`${unacked.length} of ${messages.length} messages not acknowledged: ${reason}`, { cause });
  }

  return {
    async deliver(messages) {
      try {
        await deliverWithin(messages);
      } catch (err) {
        const reason = err instanceof Error ? err.message : 'unknown error';
        if (!failing) {
          failing = true;
          log.warn({ device: options.path, address, reason }, 'relp audit device: the receiver did not acknowledge entries');
        }
        throw new Error(`relp audit device: delivery to ${address} failed: ${reason}`, { cause: err });
      }
      if (failing) {
        failing = false;
        log.info({ device: options.path, address }, 'relp audit device: entries are acknowledged again');
      }
    },
    async reset() {
      const current = session;
      session = undefined;
      await current?.close(timeoutMs);
    },
    async close() {
      const current = session;
      session = undefined;
      await current?.close(timeoutMs);
    },
  };
}
