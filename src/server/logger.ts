/** The server log: pino, JSON lines on stderr. Entries never carry tokens, secrets or plaintext. */
import pino from 'pino';

export type ServerLogger = pino.Logger;

export function createLogger(level: string): ServerLogger {
  return pino({ level, base: { svc: 'sealtrail' } }, pino.destination({ fd: 2, sync: false }));
}
