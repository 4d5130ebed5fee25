/** `keys` (read: domain id and key versions, never key material) and `keys/rotate` (update). */
import type { PathSpec } from '../../core/index.js';
import type { CapsuleEngine } from './engine.js';

export function keyPaths(engine: CapsuleEngine): PathSpec[] {
  return [
    {
      pattern: 'keys',
      handlers: {
        read: async () => {
          await engine.ready();
          return { data: { domain: engine.domain, ...(await engine.keys.info()) } };
        },
      },
    },
    {
      pattern: 'keys/rotate',
      handlers: {
        update: async (req) => {
          await engine.ready();
          let committed: (() => Promise<void>) | undefined;
          const info = await engine.keys.rotate((rotated) => {
            const made = engine.controlRecord(req, {
              summary: 'Rotated domain key',
              description: { domain: engine.domain, new_key_version: rotated.latest_version },
            });
            committed = made.committed;
            return made.ops;
          });
          await committed?.();
          return { data: { domain: engine.domain, ...info } };
        },
      },
    },
  ];
}
