/**
 * sys/quotas, Vault's rate limit quota endpoints (core/rate-limits.ts does the counting):
 *
 *   GET    quotas/config             → { rate_limit_exempt_paths, enable_rate_limit_audit_logging,
 *                                       enable_rate_limit_response_headers }
 *   POST   quotas/config             { the same fields, each optional } → 204
 *   LIST   quotas/rate-limit         → { keys }   (404 when there is none, as Vault)
 *   GET    quotas/rate-limit/<name>  → { name, type, path, role, rate, interval, block_interval }
 *   POST   quotas/rate-limit/<name>  { path?, rate, interval?, block_interval?, role? } → 204
 *   DELETE quotas/rate-limit/<name>  → 204
 *
 * Writing a quota that exists changes only the fields given, as in Vault. Intervals are Vault
 * durations ("1s", "2m", 60), kept in whole seconds as in Vault.
 */
import type { PathRequest, PathSpec, QuotaConfig, RateLimitQuotaInput, RateLimits } from '../core/index.js';
import { invalid, notFound } from '../errors/index.js';
import { boolField, stringField, stringListField } from '../auth/index.js';
import { JsonNumber } from '../lib/json-number.js';
import { parseDurationSeconds } from '../lib/time.js';

export interface QuotaPathDeps {
  quotas: () => RateLimits;
}

/** A float field (`rate`): a JSON number or its text. */
function floatField(data: PathRequest['data'], key: string): number | undefined {
  const v = data[key];
  if (v === undefined || v === null || v === '') return undefined;
  const n = typeof v === 'number' ? v : v instanceof JsonNumber ? Number(v.text) : typeof v === 'string' && /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(v) ? Number(v) : NaN;
  if (!Number.isFinite(n)) throw invalid(`"${key}" must be a number`, 'quota_invalid');
  return n;
}

/** A duration field in ms, whole seconds as Vault keeps it: a number of seconds or a Go duration. */
function durationMsField(data: PathRequest['data'], key: string): number | undefined {
  const v = data[key];
  if (v === undefined || v === null || v === '') return undefined;
  const seconds = parseDurationSeconds(v);
  if (seconds === undefined) throw invalid(`"${key}" must be a duration ("1s", "2m", or a number of seconds)`, 'quota_invalid');
  return seconds * 1000;
}

export function quotaPaths(deps: QuotaPathDeps): PathSpec[] {
  const readConfig = (c: Readonly<QuotaConfig>) => ({
    enable_rate_limit_audit_logging: c.enableRateLimitAuditLogging,
    enable_rate_limit_response_headers: c.enableRateLimitResponseHeaders,
    rate_limit_exempt_paths: [...c.rateLimitExemptPaths],
  });

  async function writeConfig(req: PathRequest): Promise<undefined> {
    const change: Partial<QuotaConfig> = {};
    if (Object.hasOwn(req.data, 'rate_limit_exempt_paths')) change.rateLimitExemptPaths = stringListField(req.data, 'rate_limit_exempt_paths');
    const audit = boolField(req.data, 'enable_rate_limit_audit_logging');
    if (audit !== undefined) change.enableRateLimitAuditLogging = audit;
    const headers = boolField(req.data, 'enable_rate_limit_response_headers');
    if (headers !== undefined) change.enableRateLimitResponseHeaders = headers;
    await deps.quotas().setConfig(change);
    return undefined;
  }

  async function writeQuota(req: PathRequest): Promise<undefined> {
    const quotas = deps.quotas();
    const name = req.params.name;
    const existing = quotas.get(name);
    const type = stringField(req.data, 'type');
    if (type !== '' && type !== 'rate-limit') throw invalid(`unsupported quota type ${JSON.stringify(type.slice(0, 64))}: only "rate-limit" is`, 'quota_invalid');
    const rate = floatField(req.data, 'rate') ?? existing?.rate;
    if (rate === undefined) throw invalid('"rate" is required: the number of requests a client may make per interval', 'quota_invalid');
    const input: RateLimitQuotaInput = {
      path: Object.hasOwn(req.data, 'path') ? stringField(req.data, 'path') : existing?.path ?? '',
      rate,
      // As Vault: an interval of 0 or none is one second.
      intervalMs: durationMsField(req.data, 'interval') || existing?.intervalMs || 1000,
      blockIntervalMs: durationMsField(req.data, 'block_interval') ?? existing?.blockIntervalMs ?? 0,
      role: stringField(req.data, 'role'),
    };
    await quotas.put(name, input);
    return undefined;
  }

  return [
    {
      pattern: 'quotas/config',
      handlers: {
        read: async () => ({ data: readConfig(deps.quotas().config) }),
        update: writeConfig,
      },
    },
    {
      pattern: 'quotas/rate-limit/?',
      handlers: {
        list: async () => {
          const keys = deps.quotas().names();
          if (keys.length === 0) throw notFound();
          return { data: { keys } };
        },
      },
    },
    {
      pattern: 'quotas/rate-limit/(?<name>[^/]+)',
      handlers: {
        read: async (req) => {
          const q = deps.quotas().get(req.params.name);
          if (!q) throw notFound();
          return {
            data: {
              name: q.name, type: 'rate-limit', path: q.path, role: '', rate: q.rate,
              interval: Math.floor(q.intervalMs / 1000), block_interval: Math.floor(q.blockIntervalMs / 1000),
            },
          };
        },
        update: writeQuota,
        delete: async (req) => {
          await deps.quotas().delete(req.params.name);
          return undefined;
        },
      },
    },
  ];
}

/** sys/metrics: requests refused per quota since unseal, as Vault's `vault.quota.rate_limit.violation` counter. */
export function rateLimitMetricsText(quotas: RateLimits): string {
  const refused = quotas.violations();
  if (refused.size === 0) return '';
  // Quota names are word characters, "-", "." and "@": nothing to escape in a label value.
  const lines = [...refused].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, n]) => `vault_quota_rate_limit_violation{name="${name}"} ${n}`);
  return `# HELP vault_quota_rate_limit_violation Requests refused by a rate limit quota since the server unsealed.\n# TYPE vault_quota_rate_limit_violation counter\n${lines.join('\n')}\n`;
}
