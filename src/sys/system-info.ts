/**
 * Small system endpoints: sys/metrics (Prometheus text, including the audit devices' counters and
 * the journal's health), sys/key-status, sys/rotate and sys/rotate/config (barrier keyring), and
 * sys/internal/ui/mounts: the listing Vault's UI reads, and the one-mount form Vault's CLI calls to
 * find out whether a path is KV version 2 (answered only to a token with access under the mount).
 */
import type { SysCore } from './sys-core.js';
import type { LogicalResponse, PathSpec } from '../core/index.js';
import { invalid, permissionDenied } from '../errors/index.js';
import { MAX_DURATION_SECONDS, parseDurationMs, rfc3339 } from '../lib/time.js';
import { boolField, intField, type PolicyStore } from '../auth/index.js';
import { MAX_ENCRYPTIONS_PER_TERM, MIN_MAX_OPERATIONS, MIN_ROTATION_INTERVAL_MS, type RotationConfig } from '../storage/index.js';
import { renderMount } from './mount-config.js';
import { journalMetricsText } from './journal-health.js';
import { eventStoreMetricsText } from './event-store-health.js';
import { rateLimitMetricsText } from './quotas.js';
import type { JournalHealth } from '../journal/index.js';

export function systemInfoPaths(deps: { core: SysCore; policies: PolicyStore; journalHealth?: () => JournalHealth }): PathSpec[] {
  const { core } = deps;
  return [
    {
      pattern: 'metrics',
      handlers: { read: async (req) => metricsAnswer(core, req.data, deps.journalHealth) },
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
      // Vault's automatic rotation settings (storage/barrier/key-usage.ts); sudo, as sys/rotate.
      pattern: 'rotate/config',
      handlers: {
        read: async () => {
          const c = await core.seal.rotationConfig();
          return { data: { max_operations: c.maxOperations, enabled: c.enabled, interval: c.intervalMs > 0 ? goDuration(c.intervalMs) : 0 } };
        },
        update: async (req) => {
          await core.seal.setRotationConfig(rotationConfigInput(req.data, await core.seal.rotationConfig()));
          return undefined;
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
      // Vault's listing for its UI, also served without a token check: to a token, the mounts it
      // may act somewhere under; without one, only those tuned `listing_visibility = "unauth"`,
      // with their type, description and options alone (built-in ones too, as in Vault).
      pattern: 'internal/ui/mounts',
      handlers: {
        read: async (req) => {
          const { mounts } = core.requireServices();
          const acl = req.token ? await deps.policies.acl(req.token.policies) : undefined;
          const listing = { secret: {} as Record<string, unknown>, auth: {} as Record<string, unknown> };
          for (const table of ['secret', 'auth'] as const) {
            // Built-in mounts too (sys/, cubbyhole/, auth token/), as Vault lists them, to a token
            // that may act under them: the vault CLI's `kv get cubbyhole/x` asks for its mount.
            for (const entry of mounts.list(table)) {
              const key = table === 'auth' ? entry.path.slice('auth/'.length) : entry.path;
              const info = renderMount(entry, { defaultLeaseTtl: 0, maxLeaseTtl: 0 });
              if (acl) {
                if (acl.grantsUnder(entry.path)) listing[table][key] = info;
              } else if (entry.config.listingVisibility === 'unauth') {
                listing[table][key] = { type: info.type, description: info.description, options: info.options };
              }
            }
          }
          return { data: listing };
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
          if (!route || !acl?.grantsUnder(route.entry.path)) throw permissionDenied();
          const info = renderMount(route.entry, { defaultLeaseTtl: 0, maxLeaseTtl: 0 });
          return { data: { ...info, path: route.entry.path } };
        },
      },
    },
  ];
}

/**
 * sys/metrics' answer, with a token or without one (unauthenticated_metrics_access, seal.ts).
 * Prometheus's text is the one format served: a client asking for another (Vault's JSON) is told
 * so, rather than handed text it would fail to parse.
 */
export function metricsAnswer(core: SysCore, query: Record<string, unknown>, journalHealth?: () => JournalHealth): LogicalResponse {
  const format = query.format;
  if (format !== undefined && format !== '' && format !== 'prometheus') {
    throw invalid('only format=prometheus is served (Prometheus text exposition)', 'invalid_field');
  }
  const services = core.requireServices();
  const text = services.audit.metricsText() + (journalHealth ? journalMetricsText(journalHealth()) : '')
    + eventStoreMetricsText(services.trail?.recorder)
    + (services.quotas ? rateLimitMetricsText(services.quotas) : '');
  return { data: { format: 'prometheus' }, raw: { contentType: 'text/plain; version=0.0.4', body: text } };
}

/** The configuration a `sys/rotate/config` write asks for: what it names, the current values otherwise (as Vault). */
function rotationConfigInput(data: Record<string, unknown>, current: RotationConfig): RotationConfig {
  const next = { ...current };
  if (data.max_operations !== undefined) {
    const n = intField(data, 'max_operations');
    if (n < MIN_MAX_OPERATIONS || n > MAX_ENCRYPTIONS_PER_TERM) {
      throw invalid(`max_operations must be an integer from ${MIN_MAX_OPERATIONS} to ${MAX_ENCRYPTIONS_PER_TERM}`, 'invalid_field');
    }
    next.maxOperations = n;
  }
  if (data.interval !== undefined) {
    const ms = data.interval === '' ? 0 : parseDurationMs(data.interval);
    // At most Go's time.Duration, as Vault: a longer one would not be read back as stored.
    if (ms === undefined || (ms !== 0 && (ms < MIN_ROTATION_INTERVAL_MS || ms > MAX_DURATION_SECONDS * 1000))) {
      throw invalid(`interval must be a duration from 24h to ${goDuration(MAX_DURATION_SECONDS * 1000)}, or 0 for none`, 'invalid_field');
    }
    next.intervalMs = ms;
  }
  next.enabled = boolField(data, 'enabled') ?? next.enabled;
  return next;
}

/** A duration as Go's time.Duration.String() writes whole seconds: `4320h0m0s`, `90h30m0s`. */
function goDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m${s % 60}s`;
}
