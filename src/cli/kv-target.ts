/**
 * Where a `kv` command points. Like the vault CLI, the secret can be named `secret/app/db`
 * (mount + path) or `-mount=secret app/db`, and the mount and its KV version are found with the
 * preflight request `GET sys/internal/ui/mounts/<path>`.
 *
 * Difference from vault, on purpose: vault takes a 404 preflight as "KV version 1 on an old
 * server". Sealtrail serves KV v2 only, so when the preflight is unavailable (404/403/405) the
 * first path segment is taken as the mount and the version as 2; a mount without a `version`
 * option is also v2. Only an explicit `version: "1"`, or a mount of another type (cubbyhole/),
 * selects v1 behaviour (the path as given).
 */
import { SealtrailApiError, type SealtrailClient } from '../sdk/index.js';
import { usageError } from './failure.js';

export interface KvTarget {
  /** Mount path without slashes: `secret`. */
  mount: string;
  /** Path inside the mount: `app/db` ('' for the mount's root). */
  path: string;
  version: 1 | 2;
}

const trimSlashes = (s: string) => s.replace(/^\/+|\/+$/g, '');

export async function resolveKvTarget(client: SealtrailClient, arg: string, mountFlag?: string): Promise<KvTarget> {
  const given = trimSlashes(arg);
  const lookupPath = mountFlag !== undefined ? trimSlashes(mountFlag) : given;
  if (lookupPath === '') throw usageError('a secret path is required');

  const found = await preflight(client, lookupPath);
  const mount = found?.mount ?? lookupPath.split('/')[0];
  const version = found?.version ?? 2;
  if (mountFlag !== undefined) return { mount, path: given, version };
  if (given !== mount && !given.startsWith(`${mount}/`)) throw usageError(`path "${given}" is not under mount "${mount}/"`);
  return { mount, path: trimSlashes(given.slice(mount.length)), version };
}

/** `secret/data/app/db` for a v2 target and section `data`; the plain path for v1. */
export function kvApiPath(target: KvTarget, section: 'data' | 'metadata' | 'delete' | 'undelete' | 'destroy'): string {
  const parts = target.version === 2 ? [target.mount, section, target.path] : [target.mount, target.path];
  return parts.filter((p) => p !== '').join('/');
}

async function preflight(client: SealtrailClient, path: string): Promise<{ mount: string; version: 1 | 2 } | undefined> {
  let data: Record<string, unknown> | null | undefined;
  try {
    // Never wrapped, as in vault (kvPreflightVersionRequest): -wrap-ttl is for the command's answer.
    data = (await client.withWrapTtl(undefined).read(`sys/internal/ui/mounts/${path}`))?.data;
  } catch (err) {
    if (err instanceof SealtrailApiError && [403, 404, 405].includes(err.status)) return undefined;
    throw err;
  }
  if (!data || typeof data.path !== 'string' || trimSlashes(data.path) === '') return undefined;
  const options = (data.options ?? {}) as Record<string, unknown>;
  // A mount of another type (cubbyhole/) has no versions: its paths are used as given, as vault does.
  if (typeof data.type === 'string' && data.type !== 'kv') return { mount: trimSlashes(data.path), version: 1 };
  return { mount: trimSlashes(data.path), version: String(options.version ?? '2') === '1' ? 1 : 2 };
}
