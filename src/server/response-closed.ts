/**
 * Calls waiting for a response to close (sent in full, or its connection gone), all on one 'close'
 * listener per response. Several parts of the edge wait for it (connection limits, the LIST
 * fallback, pipelining, journal read slots), and fastify adds its own for a streamed file and for a
 * handler that returns the reply: one listener each took a console answer past Node's limit of 10,
 * which prints a MaxListenersExceededWarning.
 */
import type { ServerResponse } from 'node:http';

const waiting = new WeakMap<ServerResponse, Array<() => void>>();

/** Calls `done` once `res` is closed: now if it already is, else in the order they were added. */
export function whenResponseClosed(res: ServerResponse, done: () => void): void {
  if (res.closed) return done();
  const calls = waiting.get(res);
  if (calls) {
    calls.push(done);
    return;
  }
  const first = [done];
  waiting.set(res, first);
  res.once('close', () => {
    waiting.delete(res);
    for (const call of first) call();
  });
}
