/**
 * The `request` block of a Vault JSON entry, written straight to text: the same bytes as
 * `writeBlock(requestBlock(...), 'request')` (a test holds the two together), without building
 * the intermediate object and walking it. Every audited request writes one per device, so this is
 * the JSON format's hot path; JSONx and the tests keep using requestBlock.
 *
 * Field order and omitempty rules are those of entry.ts's VaultRequest.
 */
import { mountPoint, type EntryHasher, type EntryOptions } from './entry.js';
import { formatNumber, quoteGo, writeValue } from './format-json.js';
import type { AuditInput } from './model.js';

/** `,"name":<quoted value>` unless the value is empty. */
const str = (name: string, value: string | undefined): string => (value ? `,"${name}":${quoteGo(value)}` : '');
const num = (name: string, value: number | undefined): string => (value === undefined || value === 0 ? '' : `,"${name}":${formatNumber(value)}`);

export function writeRequestJson(input: AuditInput, h: EntryHasher, opts: EntryOptions): string {
  const r = input.request;
  const mount = input.mount;
  const accessor = input.token?.accessor;
  // The operation is never empty (a typed verb), so the block always has a first field.
  let out = '{' + (r.id ? `"id":${quoteGo(r.id)},` : '') + `"operation":${quoteGo(input.operation)}`;
  if (mount) out += str('mount_point', mountPoint(input)) + str('mount_type', mount.type) + str('mount_accessor', mount.accessor);
  out += str('client_token', r.clientToken ? h.token(r.clientToken) : undefined) +
    str('client_token_accessor', accessor ? h.accessor(accessor) : undefined) +
    ',"namespace":{"id":"root"}' +
    str('path', r.path);
  if (r.data && Object.keys(r.data).length > 0) {
    out += `,"data":${writeValue(h.data(r.data, mount?.config.auditNonHmacRequestKeys ?? []))}`;
  }
  out += str('remote_address', r.remoteAddress) + num('remote_port', r.remotePort) + num('wrap_ttl', r.wrapTtl);
  if (opts.headers && Object.keys(opts.headers.values).length > 0) {
    out += `,"headers":${writeValue(h.headers(opts.headers.values, opts.headers.hmac))}`;
  }
  return out + '}';
}
