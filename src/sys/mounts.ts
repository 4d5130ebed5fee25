/**
 * sys/mounts and sys/auth: list, enable, disable, read and tune secrets engines and auth methods.
 * Tuning carries `audit_non_hmac_request_keys` / `audit_non_hmac_response_keys`, which the audit
 * hash walker honours for requests served by that mount.
 */
import { httpMethodOf, type MountEntry, type Mounts, type PathRequest, type PathSpec, type MountTable } from '../core/index.js';
import { invalid } from '../errors/index.js';
import { boolField } from '../auth/index.js';
import { parseMountConfig, renderMount, renderMountConfig, tokenTypeOf } from './mount-config.js';
import { isJsonObject } from '../lib/safe-object.js';

export interface MountPathsDeps {
  mounts: () => Mounts;
  defaults: { defaultLeaseTtl: number; maxLeaseTtl: number };
}

function optionsOf(v: unknown): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isJsonObject(v)) throw invalid('options must be an object');
  return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
}

/** `kv-v2` is `kv` with version 2; KV version 1 is not implemented. */
function resolveType(type: unknown, options: Record<string, string>): { type: string; options: Record<string, string> } {
  if (typeof type !== 'string' || type === '') throw invalid('type must be specified');
  if (type === 'kv-v2') return { type: 'kv', options: { ...options, version: '2' } };
  if (type === 'kv') {
    if (options.version !== '2') throw invalid('KV version 1 is not supported; enable "kv-v2" or kv with options.version=2');
  }
  return { type, options };
}

/**
 * Vault's checks of a mount's lease TTLs against each other and the server's max (0 = the
 * server's value): on enable, `given` names the fields as given; on tune, the tuned result.
 */
function checkLeaseTtls(config: { defaultLeaseTtl?: number; maxLeaseTtl?: number }, systemMax: number, tuning: boolean): void {
  const d = config.defaultLeaseTtl ?? 0;
  const m = config.maxLeaseTtl ?? 0;
  if (d > 0 && m > 0 && d > m) {
    throw invalid(tuning ? `backend max lease TTL of ${m} would be less than backend default lease TTL of ${d}` : 'given default lease TTL greater than given max lease TTL');
  }
  if (d > systemMax && m === 0) {
    throw invalid(tuning ? `backend default lease TTL of ${d} would be greater than system max lease TTL of ${systemMax}` : `given default lease TTL greater than system max lease TTL of ${systemMax}`);
  }
}

/**
 * A token type given at enable or tune, checked where Vault checks it: this server issues service
 * tokens only, so a batch type is refused rather than taken and never applied.
 */
function checkTokenType(table: MountTable, entry: MountEntry | undefined, value: unknown): void {
  if (value === undefined) return;
  if (table !== 'auth') throw invalid("'token_type' can only be modified on auth mounts");
  if (entry?.type === 'token') throw invalid("'token_type' cannot be set for 'token' or 'ns_token' auth mounts");
  if (value === 'batch' || value === 'default-batch') throw invalid('batch tokens are not supported', 'unsupported_token_type');
  if (value !== '' && value !== 'service' && value !== 'default-service') throw invalid("invalid value for 'token_type'");
}

/** A tune's `options.version` on a KV mount: 2 is what it is; Vault refuses a downgrade and an unknown version. */
function checkTunedVersion(entry: { type: string; options: Record<string, string> }, options: Record<string, string>): void {
  const version = options.version;
  if (entry.type !== 'kv' || version === undefined || version === '' || version === entry.options.version) return;
  if (version === '1') throw invalid(`cannot downgrade mount from version ${entry.options.version}`);
  throw invalid(`invalid version provided: ${version}`);
}

export function mountPaths(deps: MountPathsDeps): PathSpec[] {
  const tablePaths = (table: MountTable, root: 'mounts' | 'auth'): PathSpec[] => {
    const listBody = () => {
      const body: Record<string, unknown> = {};
      for (const m of deps.mounts().list(table)) {
        const key = table === 'auth' ? m.path.slice('auth/'.length) : m.path;
        body[key] = renderMount(m, deps.defaults);
      }
      return body;
    };
    const mountOf = (req: PathRequest) => {
      const m = deps.mounts().get(table, req.params.path);
      if (!m) throw invalid(`no ${table === 'auth' ? 'auth method' : 'secrets engine'} mounted at ${req.params.path}`);
      return m.entry;
    };
    return [
      { pattern: root, handlers: { read: async () => ({ data: listBody() }) } },
      {
        pattern: `${root}/(?<path>.+)/tune`,
        handlers: {
          read: async (req) => {
            const m = mountOf(req);
            const data: Record<string, unknown> = { ...renderMountConfig(m.config, deps.defaults, true), description: m.description, ...tokenTypeOf(m) };
            if (Object.keys(m.options).length) data.options = { ...m.options };
            return { data };
          },
          update: async (req) => {
            const entry = mountOf(req);
            const description = req.data.description;
            if (description !== undefined && typeof description !== 'string') throw invalid('description must be a string');
            checkTokenType(table, entry, req.data.token_type);
            const tuned = parseMountConfig(req.data);
            checkLeaseTtls({ ...entry.config, ...tuned }, deps.defaults.maxLeaseTtl, true);
            checkTunedVersion(entry, optionsOf(req.data.options));
            await deps.mounts().tune(table, req.params.path, tuned, description);
            const mounted = deps.mounts().get(table, req.params.path);
            await mounted?.backend.onTune?.({ session: req.token?.accessor ?? null, url: `/v1/${req.logical.path}`, method: httpMethodOf(req.logical), config: { ...req.data } });
            return undefined;
          },
        },
      },
      {
        pattern: `${root}/(?<path>.+)`,
        handlers: {
          read: async (req) => ({ data: renderMount(mountOf(req), deps.defaults) }),
          update: async (req) => {
            const { type, options } = resolveType(req.data.type, optionsOf(req.data.options));
            const description = req.data.description ?? '';
            if (typeof description !== 'string') throw invalid('description must be a string');
            const local = boolField(req.data, 'local') ?? false;
            const config = parseMountConfig(req.data.config);
            if (table === 'auth' && isJsonObject(req.data.config)) checkTokenType(table, undefined, req.data.config.token_type);
            checkLeaseTtls(config, deps.defaults.maxLeaseTtl, false);
            await deps.mounts().enable(table, { path: req.params.path, type, description, options, local, config });
            return undefined;
          },
          delete: async (req) => {
            // Vault: disabling nothing succeeds; a reserved path (`sys/`, `auth/…` as a secrets engine) is refused.
            if (!deps.mounts().get(table, req.params.path) && !deps.mounts().isReserved(table, req.params.path)) return undefined;
            await deps.mounts().disable(table, req.params.path);
            return undefined;
          },
        },
      },
    ];
  };
  return [...tablePaths('secret', 'mounts'), ...tablePaths('auth', 'auth')];
}
