/** Parsing mount config input (enable and tune) and rendering it as Vault shows it. */
import type { MountConfig, MountEntry } from '../core/index.js';
import { invalid } from '../errors/index.js';
import { parseDurationSeconds } from '../lib/time.js';
import { isJsonObject } from '../lib/safe-object.js';
import { commaParts, MAX_LIST_ITEMS } from '../lib/comma-list.js';

/** Lists arrive as JSON arrays or comma-separated strings (the CLI's repeated flags). */
function stringList(name: string, v: unknown): string[] {
  const items = typeof v === 'string' ? commaParts(v) : Array.isArray(v) && v.every((x) => typeof x === 'string') ? v as string[] : null;
  if (items === null) throw invalid(`${name} must be a list of strings`);
  if (items === undefined || items.length > MAX_LIST_ITEMS) throw invalid(`${name} holds more than ${MAX_LIST_ITEMS} items`);
  return items.map((x) => x.trim()).filter(Boolean);
}

function duration(name: string, v: unknown): number {
  if (v === 'system' || v === '') return 0;
  const s = parseDurationSeconds(v);
  if (s === undefined) throw invalid(`${name} must be a duration like "768h" or a number of seconds`);
  return s;
}

export function parseMountConfig(input: unknown): Partial<MountConfig> {
  if (input === undefined || input === null) return {};
  if (!isJsonObject(input)) throw invalid('config must be an object');
  const out: Partial<MountConfig> = {};
  for (const [key, value] of Object.entries(input as Record<string, unknown>)) {
    switch (key) {
      case 'default_lease_ttl': out.defaultLeaseTtl = duration(key, value); break;
      case 'max_lease_ttl': out.maxLeaseTtl = duration(key, value); break;
      case 'audit_non_hmac_request_keys': out.auditNonHmacRequestKeys = stringList(key, value); break;
      case 'audit_non_hmac_response_keys': out.auditNonHmacResponseKeys = stringList(key, value); break;
      case 'listing_visibility':
        if (value !== 'unauth' && value !== 'hidden' && value !== '') throw invalid('listing_visibility must be "unauth", "hidden" or ""');
        out.listingVisibility = value;
        break;
      case 'passthrough_request_headers': out.passthroughRequestHeaders = stringList(key, value); break;
      case 'allowed_response_headers': out.allowedResponseHeaders = stringList(key, value); break;
      case 'force_no_cache': case 'description': case 'options': case 'token_type': case 'plugin_version':
        break; // accepted for compatibility; description/options are handled by the caller
      default:
        throw invalid(`unknown mount config key "${key}"`);
    }
  }
  return out;
}

export function renderMountConfig(c: MountConfig, defaults: { defaultLeaseTtl: number; maxLeaseTtl: number }, resolved = false): Record<string, unknown> {
  const out: Record<string, unknown> = {
    default_lease_ttl: resolved ? c.defaultLeaseTtl || defaults.defaultLeaseTtl : c.defaultLeaseTtl,
    force_no_cache: false,
    max_lease_ttl: resolved ? c.maxLeaseTtl || defaults.maxLeaseTtl : c.maxLeaseTtl,
  };
  if (c.auditNonHmacRequestKeys.length) out.audit_non_hmac_request_keys = [...c.auditNonHmacRequestKeys];
  if (c.auditNonHmacResponseKeys.length) out.audit_non_hmac_response_keys = [...c.auditNonHmacResponseKeys];
  if (c.listingVisibility) out.listing_visibility = c.listingVisibility;
  if (c.passthroughRequestHeaders.length) out.passthrough_request_headers = [...c.passthroughRequestHeaders];
  if (c.allowedResponseHeaders?.length) out.allowed_response_headers = [...c.allowedResponseHeaders];
  return out;
}

/** Vault shows an auth method's token type; every token here is a service token. */
export function tokenTypeOf(m: MountEntry): { token_type?: string } {
  return m.table === 'auth' ? { token_type: 'default-service' } : {};
}

export function renderMount(m: MountEntry, defaults: { defaultLeaseTtl: number; maxLeaseTtl: number }): Record<string, unknown> {
  return {
    accessor: m.accessor,
    config: { ...renderMountConfig(m.config, defaults), ...tokenTypeOf(m) },
    description: m.description,
    external_entropy_access: false,
    local: m.local,
    options: Object.keys(m.options).length ? { ...m.options } : null,
    plugin_version: '',
    running_plugin_version: '',
    running_sha256: '',
    seal_wrap: m.sealWrap,
    type: m.type,
    uuid: m.uuid,
  };
}
