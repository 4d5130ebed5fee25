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
          const info = await engine.keys.rotate((rotated) => engine.controlRecord(req, {
            summary: 'Rotated domain key',
            description: { domain: engine.domain, new_key_version: rotated.latest_version },
          }).ops);
          return { data: { domain: engine.domain, ...info } };
        },
      },
    },
  ];
}
