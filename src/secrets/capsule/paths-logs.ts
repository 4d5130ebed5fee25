/**
 * `log/access` and `log/control` (read). Two paths rather than one with a switch, so an ACL can
 * grant a data owner `capsule/log/access` without the control log.
 */
import type { PathSpec } from '../../core/paths.js';
import type { CapsuleEngine } from './engine.js';
import { parseLogQuery, runLogQuery } from './log/query.js';
import { ACCESS_PREFIX, CONTROL_PREFIX } from './log/store.js';

export function logPaths(engine: CapsuleEngine): PathSpec[] {
  return [
    {
      pattern: 'log/access',
      handlers: {
        read: async (req) => {
          await engine.ready();
          const query = parseLogQuery(req.data, ['capsule', 'operation', 'session']);
          return { data: await runLogQuery(engine.logs, ACCESS_PREFIX, query) };
        },
      },
    },
    {
      pattern: 'log/control',
      handlers: {
        read: async (req) => {
          await engine.ready();
          const query = parseLogQuery(req.data, ['session']);
          return { data: await runLogQuery(engine.logs, CONTROL_PREFIX, query) };
        },
      },
    },
  ];
}
