/**
 * Small system endpoints: sys/metrics (Prometheus text, including the audit devices' counters and
 * the journal's health),
 * sys/key-status and sys/rotate (barrier keyring), and sys/internal/ui/mounts, which Vault's CLI
 * calls to find out whether a path is KV version 2 (answered only to a token with access under the mount).
 */
import type { SysCore } from './sys-core.js';
import type { PathSpec } from '../core/index.js';
import { permissionDenied } from '../errors/index.js';
import type { PolicyStore } from '../auth/index.js';
import { rfc3339 } from '../lib/time.js';
import { renderMount } from './mount-config.js';
import { journalMetricsText } from './journal-health.js';
import type { JournalHealth } from '../journal/index.js';

export function systemInfoPaths(deps: { core: SysCore; policies: PolicyStore; journalHealth?: () => JournalHealth }): PathSpec[] {
  const { core } = deps;
  return [
    {
      pattern: 'metrics',
      handlers: {
        read: async () => {
          const services = core.requireServices();
          const text = services.audit.metricsText() + (deps.journalHealth ? journalMetricsText(deps.journalHealth()) : '');
          return { data: { format: 'prometheus' }, raw: { contentType: 'text/plain; version=0.0.4', body: text } };
        },
      },
    },
    {
      pattern: 'key-status',
      handlers: {
        read: async () => {
          const k = await core.seal.keyStatus();
          return { data: { term: k.term, install_time: rfc3339(k.installTimeMs), encryptions: k.encryptions } };
        },
      },
    },
    {
      pattern: 'rotate',
      handlers: {
        update: async () => {
          await core.seal.rotate();
          return undefined;
        },
      },
    },
    {
      // Served without a token check, as in Vault; but only a token that may act somewhere under
      // the mount learns of it. Everyone else gets the same 403 whether or not a mount is there,
      // so the path cannot enumerate mounts or read their configuration.
      pattern: 'internal/ui/mounts/(?<path>.+)',
      handlers: {
        read: async (req) => {
          const route = core.requireServices().mounts.route(req.params.path);
          const acl = req.token ? await deps.policies.acl(req.token.policies) : undefined;
          if (!route || route.entry.builtin || !acl?.grantsUnder(route.entry.path)) throw permissionDenied();
          const info = renderMount(route.entry, { defaultLeaseTtl: 0, maxLeaseTtl: 0 });
          return { data: { ...info, path: route.entry.path } };
        },
      },
    },
  ];
}
