/**
 * One RELP session over one TCP connection: `open` with our offers, then `syslog` commands, each
 * answered by the receiver's `rsp` with the same txnr; `close` to end it politely.
 *
 * Every command gets an answer: the receiver's status, or `lost` once the session is broken —
 * the connection closed or failed, the receiver sent the `serverclose` hint, or it sent something
 * that is not RELP. A lost command may or may not have been taken by the receiver: the caller
 * decides whether to send it again. A broken session is never used again.
 */
import { createConnection, type Socket } from 'node:net';
import { createFrameDecoder, encodeFrame, nextTxnr, RelpProtocolError } from './frame.js';
import { checkOpenAnswer, OPEN_OFFERS, parseRsp, type Rsp } from './response.js';

export type Answer =
  | { ok: true }
  | { ok: false; lost: false; reason: string }
  | { ok: false; lost: true; reason: string };

export interface RelpSession {
  readonly alive: boolean;
  /** Sends the messages as `syslog` commands in one write; one answer per message, in order. Never rejects. */
  send(messages: readonly Buffer[]): Promise<Answer>[];
  /** Sends `close` and waits at most `timeoutMs` for its answer, then closes the connection. */
  close(timeoutMs: number): Promise<void>;
  /** Breaks the session at once: every unanswered command is answered `lost` with this reason. */
  destroy(reason: string): void;
}

export interface SessionTarget {
  host: string;
  port: number;
}

/** Answers (rsp data) are a status line plus, for `open`, a few offers: far below this. */
export const MAX_ANSWER_BYTES = 16_384;

/** The connection failed or closed before the session was open: worth another try. */
export class SessionLost extends Error {}

/** librelp answers `close` with an rsp without data; to any other command it is no success. */
const EMPTY_ANSWER: Rsp = { status: 0, text: '', data: '' };

type Waiter = (answer: Rsp | { lost: string }) => void;

function toAnswer(result: Rsp | { lost: string }): Answer {
  if ('lost' in result) return { ok: false, lost: true, reason: result.lost };
  if (result.status === 200) return { ok: true };
  if (result === EMPTY_ANSWER) return { ok: false, lost: false, reason: 'the receiver sent an empty answer' };
  return { ok: false, lost: false, reason: `the receiver answered ${result.status} ${result.text}`.trim() };
}

/** Connects and opens a session within `timeoutMs`, or rejects and leaves nothing open. */
export function openSession(target: SessionTarget, timeoutMs: number): Promise<RelpSession> {
  const socket: Socket = createConnection({ host: target.host, port: target.port, noDelay: true, keepAlive: true });
  const decoder = createFrameDecoder(MAX_ANSWER_BYTES);
  const waiting = new Map<number, Waiter>();
  let txnr = 1;
  let alive = true;

  const destroy = (reason: string) => {
    if (!alive) return;
    alive = false;
    socket.destroy();
    const waiters = [...waiting.values()];
    waiting.clear();
    for (const wait of waiters) wait({ lost: reason });
  };

  const command = (name: string, data: Buffer | undefined, wait: Waiter): Buffer => {
    const frame = encodeFrame(txnr, name, data);
    waiting.set(txnr, wait);
    txnr = nextTxnr(txnr);
    return frame;
  };

  socket.on('data', (chunk: Buffer) => {
    // `serverclose` means nothing more will be answered; answers that came with it still count.
    let serverclose = false;
    try {
      for (const frame of decoder.push(chunk)) {
        if (frame.txnr === 0) {
          // Hints need no answer.
          serverclose ||= frame.command === 'serverclose';
          continue;
        }
        const wait = waiting.get(frame.txnr);
        if (frame.command !== 'rsp' || !wait) throw new RelpProtocolError(`unexpected RELP frame "${frame.command}" for txnr ${frame.txnr}`);
        // Parsed while the waiter is still registered, so a malformed answer reaches it as `lost`.
        const rsp = frame.data.length === 0 ? EMPTY_ANSWER : parseRsp(frame.data);
        waiting.delete(frame.txnr);
        wait(rsp);
      }
    } catch (err) {
      destroy(err instanceof RelpProtocolError ? `protocol error: ${err.message}` : 'invalid answer');
    }
    if (serverclose) destroy('the receiver closed the session (serverclose)');
  });
  socket.on('error', (err: NodeJS.ErrnoException) => destroy(err.code ?? err.message));
  socket.on('end', () => destroy('the receiver closed the connection'));
  socket.on('close', () => destroy('the connection closed'));

  const session: RelpSession = {
    get alive() { return alive && !socket.destroyed; },
    destroy,
    send(messages) {
      if (!alive) return messages.map(() => Promise.resolve<Answer>({ ok: false, lost: true, reason: 'the session is closed' }));
      const frames: Buffer[] = [];
      const answers = messages.map((message) => new Promise<Answer>((resolve) => {
        frames.push(command('syslog', message, (result) => resolve(toAnswer(result))));
      }));
      socket.write(frames.length === 1 ? frames[0] : Buffer.concat(frames));
      return answers;
    },
    async close(timeoutMs) {
      if (!alive) return;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        socket.write(command('close', undefined, () => resolve()));
      });
      clearTimeout(timer);
      destroy('closed');
    },
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new SessionLost(`no session within ${Math.round(timeoutMs)}ms`));
      destroy('timed out while opening');
    }, timeoutMs);
    socket.once('connect', () => {
      socket.write(command('open', OPEN_OFFERS, (result) => {
        clearTimeout(timer);
        if ('lost' in result) return reject(new SessionLost(result.lost));
        try {
          checkOpenAnswer(result);
        } catch (err) {
          destroy('refused');
          return reject(err);
        }
        resolve(session);
      }));
    });
    // Before the connection is up, a failure has no waiter to tell: reject directly.
    socket.once('close', () => { clearTimeout(timer); reject(new SessionLost('the connection closed before the session was open')); });
    socket.once('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); reject(new SessionLost(err.code ?? err.message, { cause: err })); });
  });
}
