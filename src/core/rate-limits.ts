/**
 * Rate limit quotas, as Vault's (`sys/quotas/rate-limit/<name>`, `sys/quotas/config`): a quota lets
 * each client address make `rate` requests per `interval` on the paths it covers, and optionally
 * shuts a client out for `block_interval` once it goes over. The edges ask before a request exists
 * (its body unread), so a client over its quota costs a lookup and a short answer — no audit
 * entries unless `enable_rate_limit_audit_logging` asks for them, which is the point: a flood of
 * requests fills no disk.
 *
 * Which quota applies to a path is Vault's order, the most specific first:
 *   a path under a mount (`secret/data/app`), then the longest glob under it (`secret/data/*`),
 *   then the mount (`secret/`), then the global quota (path "").
 * Only that one quota counts the request. Paths in `rate_limit_exempt_paths` (exact, or a prefix
 * ending in `*`) are never limited; Vault's defaults keep the seal, health and root-generation
 * endpoints reachable.
 *
 * Counting is Vault's (go-limiter's memory store): each client gets `round(rate)` requests in
 * fixed windows of `interval` that start at its first request. The counters live in this
 * process only, as in Vault; definitions are kept in the barrier and apply again after a restart.
 */
import { SealtrailError, invalid } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { createSerializer } from '../lib/keyed-lock.js';
import { LruMap } from '../lib/lru.js';
import { getJson, putJson, type Storage } from '../storage/index.js';

/** Quota rules a server keeps; each is a small record, and every write lists them all. */
export const MAX_RATE_LIMIT_QUOTAS = 1000;
/**
 * Client counters kept across all quotas. When more addresses are seen, the least recently used
 * counter is forgotten: that client starts a fresh window, which can only be more lenient to it.
 */
export const MAX_TRACKED_CLIENTS = 100_000;
/** Paths in `rate_limit_exempt_paths`. */
export const MAX_EXEMPT_PATHS = 1000;
const MAX_PATH_LENGTH = 1024;
/** The longest `interval` and `block_interval`: a year. */
export const MAX_QUOTA_INTERVAL_MS = 365 * 24 * 3600_000;
/** Vault's name rule for quota names (framework.GenericNameRegex), with a length bound. */
const NAME_RE = /^\w(?:[\w\-.@]{0,126}\w)?$/;

/** Vault's default exempt paths: the seal, health and root-token generation endpoints. */
export const DEFAULT_EXEMPT_PATHS: readonly string[] = [
  'sys/generate-recovery-token/attempt',
  'sys/generate-recovery-token/update',
  'sys/generate-root/attempt',
  'sys/generate-root/update',
  'sys/health',
  'sys/seal-status',
  'sys/unseal',
];

export interface RateLimitQuota {
  name: string;
  /** As written: "" (global), a mount (`secret/`), or a path under one (`secret/data/app`, `secret/data/*`). */
  path: string;
  /** The mount's routing prefix (`secret/`, `auth/apm/`); "" for the global quota. */
  mountPath: string;
  /** The path below the mount, without a trailing slash; may end in `*`. */
  pathSuffix: string;
  rate: number;
  intervalMs: number;
  blockIntervalMs: number;
}

export interface QuotaConfig {
  rateLimitExemptPaths: string[];
  enableRateLimitAuditLogging: boolean;
  enableRateLimitResponseHeaders: boolean;
}

export interface RateLimitQuotaInput {
  path: string;
  rate: number;
  intervalMs: number;
  blockIntervalMs: number;
  role: string;
}

/** The answer for one request a quota covers. */
export interface RateLimitDecision {
  allowed: boolean;
  quota: string;
  /** Requests a window allows. */
  limit: number;
  remaining: number;
  /** Whole seconds until the client's window resets (or its block ends). */
  resetSeconds: number;
}

export interface RateLimits {
  /** Whether any quota exists: when not, the edges skip the lookup. */
  readonly active: boolean;
  readonly config: Readonly<QuotaConfig>;
  /** Counts one request of `clientAddress` on `path` (below /v1/); undefined when no quota covers it. */
  take(path: string, clientAddress: string): RateLimitDecision | undefined;
  names(): string[];
  get(name: string): RateLimitQuota | undefined;
  put(name: string, input: RateLimitQuotaInput): Promise<void>;
  delete(name: string): Promise<void>;
  setConfig(change: Partial<QuotaConfig>): Promise<void>;
  /** Deletes the quotas of a mount that was disabled (`secret/`), as Vault does. */
  forgetMount(prefix: string): Promise<void>;
  /** Requests refused per quota since the server unsealed (sys/metrics). */
  violations(): ReadonlyMap<string, number>;
  /** Reads the quotas and the configuration from storage (at unseal). */
  load(): Promise<void>;
}

export interface RateLimitDeps {
  /** The barrier view quotas are kept in (`sys/quotas/`). */
  storage: Storage;
  clock: Clock;
  /** The routing prefix of the mount serving `path` (`secret/`, `auth/apm/`), if any. */
  mountOf(path: string): string | undefined;
}

interface Counter {
  /** Start of the client's first window, ms. */
  start: number;
  /** Index of the window `available` belongs to. */
  window: number;
  available: number;
  /** When the client went over, with `block_interval` set. */
  blockedAt?: number;
}

interface Compiled extends RateLimitQuota {
  tokens: number;
  /** Distinguishes this definition's counters from an earlier one of the same name. */
  generation: number;
}

const CONFIG_KEY = 'config';
const QUOTA_PREFIX = 'rate-limit/';

export function createRateLimits(deps: RateLimitDeps): RateLimits {
  const quotas = new Map<string, Compiled>();
  /** `${mountPath}\0${pathSuffix}` → quota: one per mount and suffix, as Vault requires. */
  const byScope = new Map<string, Compiled>();
  /** Glob quotas by mount, longest prefix first. */
  const globs = new Map<string, Compiled[]>();
  const counters = new LruMap<string, Counter>(MAX_TRACKED_CLIENTS);
  const refused = new Map<string, number>();
  let generation = 0;
  let config: QuotaConfig = defaultConfig();
  let exact = new Set<string>(config.rateLimitExemptPaths);
  let prefixes: string[] = [];

  const scopeKey = (mountPath: string, pathSuffix: string) => `${mountPath}\0${pathSuffix}`;

  function index(): void {
    byScope.clear();
    globs.clear();
    for (const q of quotas.values()) {
      byScope.set(scopeKey(q.mountPath, q.pathSuffix), q);
      if (q.pathSuffix.endsWith('*')) {
        const list = globs.get(q.mountPath) ?? [];
        list.push(q);
        globs.set(q.mountPath, list);
      }
    }
    for (const list of globs.values()) list.sort((a, b) => b.pathSuffix.length - a.pathSuffix.length);
  }

  function applyConfig(next: QuotaConfig): void {
    config = next;
    exact = new Set(next.rateLimitExemptPaths.filter((p) => !p.endsWith('*')));
    prefixes = next.rateLimitExemptPaths.filter((p) => p.endsWith('*')).map((p) => p.slice(0, -1));
  }

  function exempt(path: string): boolean {
    if (exact.has(path)) return true;
    for (const p of prefixes) if (path.startsWith(p)) return true;
    return false;
  }

  /** The most specific quota covering `path`. */
  function quotaFor(path: string): Compiled | undefined {
    const mount = deps.mountOf(path);
    if (mount !== undefined) {
      const suffix = trimSlashes(path.slice(mount.length));
      if (suffix !== '') {
        const exactQuota = byScope.get(scopeKey(mount, suffix));
        if (exactQuota) return exactQuota;
      }
      const mountGlobs = globs.get(mount);
      if (mountGlobs) for (const q of mountGlobs) if (suffix.startsWith(q.pathSuffix.slice(0, -1))) return q;
      const mountQuota = byScope.get(scopeKey(mount, ''));
      if (mountQuota) return mountQuota;
    }
    return byScope.get(scopeKey('', ''));
  }

  function take(path: string, clientAddress: string): RateLimitDecision | undefined {
    if (quotas.size === 0 || exempt(path)) return undefined;
    const quota = quotaFor(path);
    if (!quota) return undefined;
    const now = deps.clock.now();
    const key = `${quota.generation}\0${clientAddress}`;
    let c = counters.get(key);
    if (c === undefined) {
      c = { start: now, window: 0, available: quota.tokens };
      counters.set(key, c);
    }
    const decision = (allowed: boolean, resetMs: number): RateLimitDecision => {
      if (!allowed) refused.set(quota.name, (refused.get(quota.name) ?? 0) + 1);
      return { allowed, quota: quota.name, limit: quota.tokens, remaining: c.available, resetSeconds: Math.max(0, Math.ceil(resetMs / 1000)) };
    };
    if (c.blockedAt !== undefined) {
      const left = c.blockedAt + quota.blockIntervalMs - now;
      if (left > 0) return decision(false, left);
      c.blockedAt = undefined;
    }
    const window = Math.floor((now - c.start) / quota.intervalMs);
    if (window > c.window) {
      c.window = window;
      c.available = quota.tokens;
    }
    const untilReset = c.start + (window + 1) * quota.intervalMs - now;
    if (c.available > 0) {
      c.available--;
      return decision(true, untilReset);
    }
    if (quota.blockIntervalMs > 0) {
      c.blockedAt = now;
      return decision(false, quota.blockIntervalMs);
    }
    return decision(false, untilReset);
  }

  /** Checks a definition against the mounts and the other quotas; the stored form. */
  function resolve(name: string, input: RateLimitQuotaInput): RateLimitQuota {
    if (!NAME_RE.test(name)) throw invalid('quota name must be 1 to 128 letters, digits, "_", "-", "." or "@", starting and ending with a letter, digit or "_"', 'quota_invalid');
    if (!Number.isFinite(input.rate) || input.rate <= 0) throw invalid(`invalid rate: ${input.rate}: the rate must be positive`, 'quota_invalid');
    if (Math.round(input.rate) < 1) throw invalid(`invalid rate: ${input.rate}: a quota allows round(rate) requests per interval, so the rate must be at least 0.5`, 'quota_invalid');
    if (!(input.intervalMs > 0 && input.intervalMs <= MAX_QUOTA_INTERVAL_MS)) throw invalid('invalid interval: it must be positive and at most a year (8760h)', 'quota_invalid');
    if (!(input.blockIntervalMs >= 0 && input.blockIntervalMs <= MAX_QUOTA_INTERVAL_MS)) throw invalid('invalid block_interval: it must be from 0 to a year (8760h)', 'quota_invalid');
    const path = input.path.replace(/^\/+/, '');
    if (path.length > MAX_PATH_LENGTH) throw invalid(`path is longer than ${MAX_PATH_LENGTH} characters`, 'quota_invalid');
    let mountPath = '';
    let pathSuffix = '';
    if (path !== '') {
      const mount = deps.mountOf(path);
      if (mount === undefined) throw invalid(`invalid mount path ${JSON.stringify(path)}: no secrets engine or auth method is mounted there`, 'quota_invalid');
      mountPath = mount;
      pathSuffix = trimSlashes(path.slice(mount.length));
      const star = pathSuffix.indexOf('*');
      if (star >= 0 && star !== pathSuffix.length - 1) throw invalid('a glob (*) may only end the path', 'quota_invalid');
    }
    if (input.role !== '') {
      throw invalid(
        `role-based quotas need an auth method whose login requests name a role; no auth method here does${mountPath === '' ? '' : ` (path ${JSON.stringify(mountPath)})`}`,
        'quota_invalid',
      );
    }
    const other = byScope.get(scopeKey(mountPath, pathSuffix));
    if (other && other.name !== name) throw invalid(`quota rule with similar properties exists under the name ${JSON.stringify(other.name)}`, 'quota_conflict');
    if (!quotas.has(name) && quotas.size >= MAX_RATE_LIMIT_QUOTAS) throw invalid(`at most ${MAX_RATE_LIMIT_QUOTAS} rate limit quotas may exist`, 'quota_limit_reached');
    return { name, path, mountPath, pathSuffix, rate: input.rate, intervalMs: input.intervalMs, blockIntervalMs: input.blockIntervalMs };
  }

  const compile = (q: RateLimitQuota): Compiled => ({ ...q, tokens: Math.round(q.rate), generation: ++generation });
  // One change at a time, from its checks (a scope already taken, the count) to its stored record:
  // concurrent creations of one scope could all pass the check and all be stored.
  const changing = createSerializer();

  return {
    get active() { return quotas.size > 0; },
    get config() { return config; },
    take,
    names: () => [...quotas.keys()].sort(),
    get(name) {
      const q = quotas.get(name);
      return q && { name: q.name, path: q.path, mountPath: q.mountPath, pathSuffix: q.pathSuffix, rate: q.rate, intervalMs: q.intervalMs, blockIntervalMs: q.blockIntervalMs };
    },
    put: (name, input) => changing(async () => {
      const quota = resolve(name, input);
      await putJson(deps.storage, QUOTA_PREFIX + name, quota);
      quotas.set(name, compile(quota));
      index();
    }),
    // As Vault: deleting a quota that does not exist does nothing.
    delete: (name) => changing(async () => {
      if (!quotas.has(name)) return;
      await deps.storage.delete(QUOTA_PREFIX + name);
      quotas.delete(name);
      refused.delete(name);
      index();
    }),
    setConfig: (change) => changing(async () => {
      const next = { ...config, ...change };
      if (next.rateLimitExemptPaths.length > MAX_EXEMPT_PATHS) throw invalid(`at most ${MAX_EXEMPT_PATHS} exempt paths may be set`, 'quota_invalid');
      next.rateLimitExemptPaths = [...new Set(next.rateLimitExemptPaths.map((p) => p.replace(/^\/+/, '').replace(/^v1\//, '')))];
      for (const p of next.rateLimitExemptPaths) {
        if (p.length > MAX_PATH_LENGTH) throw invalid(`exempt path is longer than ${MAX_PATH_LENGTH} characters`, 'quota_invalid');
      }
      await putJson(deps.storage, CONFIG_KEY, next);
      applyConfig(next);
    }),
    forgetMount: (prefix) => changing(async () => {
      for (const q of [...quotas.values()]) {
        if (q.mountPath !== prefix) continue;
        await deps.storage.delete(QUOTA_PREFIX + q.name);
        quotas.delete(q.name);
        refused.delete(q.name);
      }
      index();
    }),
    violations: () => refused,
    async load() {
      const stored = await getJson<QuotaConfig>(deps.storage, CONFIG_KEY);
      applyConfig(stored ? { ...defaultConfig(), ...stored } : defaultConfig());
      quotas.clear();
      for (const key of await deps.storage.list(QUOTA_PREFIX)) {
        const q = await getJson<RateLimitQuota>(deps.storage, QUOTA_PREFIX + key);
        if (q) quotas.set(q.name, compile(q));
      }
      index();
    },
  };
}

function defaultConfig(): QuotaConfig {
  return { rateLimitExemptPaths: [...DEFAULT_EXEMPT_PATHS], enableRateLimitAuditLogging: false, enableRateLimitResponseHeaders: false };
}

function trimSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 0x2f) end--;
  return path.slice(0, end);
}

/** The refusal a client over its quota gets: Vault's 429, ThrottlingException on the AWS endpoint. */
export function rateLimitExceeded(path: string): SealtrailError {
  return new SealtrailError('rate_limited', 'rate_limit_quota_exceeded', `request path ${JSON.stringify(path)}: rate limit quota exceeded`);
}
