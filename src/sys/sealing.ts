/**
 * sys/seal (update, sudo): audited like every sys/ path, as Vault audits it, refusals included.
 * Sealing closes the audit devices and the journal, so it runs once the response entry is recorded
 * (the lifecycle's `afterRecorded`) and before the client is answered: a 204 means sealed.
 */
import type { PathSpec } from '../core/index.js';

export function sealPaths(deps: { seal: () => Promise<void> }): PathSpec[] {
  return [{ pattern: 'seal', handlers: { update: async () => ({ afterRecorded: deps.seal }) } }];
}
