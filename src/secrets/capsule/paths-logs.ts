/**
 * `log/access` and `log/control` (read). Two paths rather than one with a switch, so an ACL can
 * grant a data owner `capsule/log/access` without the control log.
 */
import type { PathSpec } from '../../core/index.js';
import type { CapsuleEngine } from './engine.js';
import { SESSION_ID_RE } from './log/log-key.js';
import { parseLogQuery, runLogQuery, type LogQuery } from './log/query.js';
import { ACCESS_PREFIX, CONTROL_PREFIX } from './log/store.js';

export function logPaths(engine: CapsuleEngine): PathSpec[] {
  return [
    {
      pattern: 'log/access',
      handlers: {
        read: async (req) => {
          await engine.ready();
          const query = bySession(engine, parseLogQuery(req.data, ['capsule', 'operation', 'session']));
          return { data: await runLogQuery(engine.logs, ACCESS_PREFIX, query) };
        },
      },
    },
    {
      pattern: 'log/control',
      handlers: {
        read: async (req) => {
          await engine.ready();
          const query = bySession(engine, parseLogQuery(req.data, ['session']));
          return { data: await runLogQuery(engine.logs, CONTROL_PREFIX, query) };
        },
      },
    },
  ];
}

/**
 * A `session` filter is a session id, or a token accessor standing for the session id it appears
 * as (so an operator holding an accessor can find what its token did; the log never shows one).
 */
function bySession(engine: CapsuleEngine, query: LogQuery): LogQuery {
  const session = query.filters.session;
  if (session === undefined || SESSION_ID_RE.test(session)) return query;
  return { ...query, filters: { ...query.filters, session: engine.logs.sessionId(session) } };
}
