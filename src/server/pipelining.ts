/**
 * Requests pipelined on one connection are handled one at a time, as Go's server (Vault's) does.
 *
 * Node parses every request a client pipelines and hands each to the app at once, whatever is
 * still unanswered on the connection. While an audit device is slow, each of them waits up to
 * `audit_block_timeout` holding its body, so one connection, without a token, could hold any
 * number of requests and bodies in memory: `max_connections` bounds connections, not requests.
 * Here a request starts only once the connection's previous one was answered; a waiting request's
 * body is not read, so node stops reading the connection once its buffer is full. Requests without
 * bodies cost no buffer and never stop the reading: past MAX_WAITING_REQUESTS waiting on one
 * connection, the connection is closed and the waiting requests are dropped unhandled, as is any
 * request node parsed from the same bytes afterwards.
 */
import type { Socket } from 'node:net';
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { whenResponseClosed } from './response-closed.js';

/** Requests that may wait on one connection behind the one being handled. */
export const MAX_WAITING_REQUESTS = 32;

interface ConnectionQueue {
  running: boolean;
  /** Set when the connection was closed for its waiting requests: nothing more on it is handled. */
  closed: boolean;
  waiting: Array<() => void>;
}

/** A fastify onRequest hook. */
export function oneRequestAtATimePerConnection() {
  const queues = new WeakMap<Socket, ConnectionQueue>();
  return (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    const socket = req.raw.socket;
    let queue = queues.get(socket);
    if (!queue) queues.set(socket, (queue = { running: false, closed: false, waiting: [] }));
    const q = queue;
    // Node may still hand over requests it parsed from bytes read before the connection closed.
    if (q.closed) return;
    const start = () => {
      q.running = true;
      whenResponseClosed(reply.raw, () => {
        const next = q.waiting.shift();
        if (next) next();
        else q.running = false;
      });
      done();
    };
    if (!q.running) return start();
    if (q.waiting.length >= MAX_WAITING_REQUESTS) {
      q.closed = true;
      q.waiting.length = 0;
      socket.destroy();
      return;
    }
    q.waiting.push(start);
  };
}
