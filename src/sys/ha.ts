/**
 * sys/ha-status (read) and sys/step-down (update, sudo; without HA a no-op, as Vault's), audited like every sys/ path. Step-down
 * starts once the response entry is recorded (the lifecycle's `afterRecorded`), since it tears the
 * audit devices away, and the answer does not wait for it.
 */
import type { PathSpec } from '../core/index.js';
import { invalid } from '../errors/index.js';

export interface SysHa {
  nodes(): Promise<object[]>;
  stepDown(): Promise<void>;
}

export function haPaths(deps: { ha?: SysHa; onError: (err: unknown) => void }): PathSpec[] {
  const ha = () => {
    if (!deps.ha) throw invalid('high availability is not enabled on this server (storage "postgresql" { ha_enabled = true })', 'ha_not_enabled');
    return deps.ha;
  };
  return [
    { pattern: 'ha-status', handlers: { read: async () => ({ data: { nodes: await ha().nodes() } }) } },
    {
      pattern: 'step-down',
      handlers: {
        update: async () => {
          // Without HA there is nothing to step down from: Vault answers 204, and so do we.
          const node = deps.ha;
          if (!node) return undefined;
          return { afterRecorded: async () => void node.stepDown().catch(deps.onError) };
        },
      },
    },
  ];
}
