/**
 * Flags shared by `secrets` and `auth` enable/tune, and the mount tables both list. Names and
 * meaning follow the vault CLI (`-audit-non-hmac-request-keys` etc. are repeatable; a value may
 * also list several keys separated by commas).
 */
import type { Command } from 'commander';
import type { MountConfigInput, MountOutput } from '../../sdk/index.js';
import { collect, splitList } from '../flags.js';
import { parseStringMap, type KvSources } from '../kv-builder.js';
import { goValue, humanDuration, tableOutput } from '../table.js';

export interface MountConfigFlags {
  description?: string;
  defaultLeaseTtl?: string;
  maxLeaseTtl?: string;
  auditNonHmacRequestKeys: string[];
  auditNonHmacResponseKeys: string[];
  listingVisibility?: string;
  passthroughRequestHeaders: string[];
  allowedResponseHeaders: string[];
  options: string[];
}

export function addMountConfigFlags(cmd: Command): Command {
  return cmd
    .option('--description <text>', 'human-friendly description')
    .option('--default-lease-ttl <duration>', 'default lease TTL, e.g. 768h')
    .option('--max-lease-ttl <duration>', 'maximum lease TTL')
    .option('--audit-non-hmac-request-keys <key>', 'request data key left un-HMACed in audit logs (repeatable)', collect, [])
    .option('--audit-non-hmac-response-keys <key>', 'response data key left un-HMACed in audit logs (repeatable)', collect, [])
    .option('--listing-visibility <mode>', '"unauth" or "hidden"')
    .option('--passthrough-request-headers <header>', 'request header passed to the backend (repeatable)', collect, [])
    .option('--allowed-response-headers <header>', 'response header the backend may set (repeatable)', collect, [])
    .option('--options <key=value>', 'mount option (repeatable), e.g. version=2', collect, []);
}

/** The `config` object of enable, or the body of tune: only what was given. */
export function mountConfigFrom(flags: MountConfigFlags): MountConfigInput {
  const config: MountConfigInput = {};
  if (flags.defaultLeaseTtl !== undefined) config.default_lease_ttl = flags.defaultLeaseTtl;
  if (flags.maxLeaseTtl !== undefined) config.max_lease_ttl = flags.maxLeaseTtl;
  const requestKeys = splitList(flags.auditNonHmacRequestKeys);
  const responseKeys = splitList(flags.auditNonHmacResponseKeys);
  if (requestKeys.length > 0) config.audit_non_hmac_request_keys = requestKeys;
  if (responseKeys.length > 0) config.audit_non_hmac_response_keys = responseKeys;
  if (flags.listingVisibility !== undefined) config.listing_visibility = flags.listingVisibility;
  if (flags.passthroughRequestHeaders.length > 0) config.passthrough_request_headers = splitList(flags.passthroughRequestHeaders);
  if (flags.allowedResponseHeaders.length > 0) config.allowed_response_headers = splitList(flags.allowedResponseHeaders);
  return config;
}

export async function mountOptionsFrom(flags: MountConfigFlags, io: KvSources): Promise<Record<string, string> | undefined> {
  return flags.options.length > 0 ? parseStringMap(flags.options, io) : undefined;
}

const ttlCell = (seconds: number | undefined) => (!seconds ? 'system' : humanDuration(seconds));

/** vault's `secrets list` / `auth list` tables, sorted by path. */
export function mountTable(mounts: Record<string, MountOutput>, detailed: boolean): string {
  const paths = Object.keys(mounts).sort();
  if (!detailed) {
    return tableOutput(['Path', 'Type', 'Accessor', 'Description'], paths.map((p) => [p, mounts[p].type, mounts[p].accessor, mounts[p].description]));
  }
  return tableOutput(
    ['Path', 'Type', 'Accessor', 'Default TTL', 'Max TTL', 'Replication', 'Seal Wrap', 'Options', 'Description', 'Audit Non-HMAC Request Keys', 'Audit Non-HMAC Response Keys'],
    paths.map((p) => {
      const m = mounts[p];
      return [
        p, m.type, m.accessor, ttlCell(m.config?.default_lease_ttl), ttlCell(m.config?.max_lease_ttl), m.local ? 'local' : 'replicated',
        String(m.seal_wrap === true), goValue(m.options ?? {}), m.description,
        (m.config?.audit_non_hmac_request_keys ?? []).join(','), (m.config?.audit_non_hmac_response_keys ?? []).join(','),
      ];
    }),
  );
}
