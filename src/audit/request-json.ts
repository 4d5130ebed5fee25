/**
 * The `request` block of a Vault JSON entry, written straight to text: the same bytes as
 * `writeBlock(requestBlock(...), 'request')` (a test holds the two together), without building
 * the intermediate object and walking it. Every audited request writes one per device, so this is
 * the JSON format's hot path; JSONx and the tests keep using requestBlock.
 *
 * Field order and omitempty rules are those of entry.ts's VaultRequest. Each device has its own
 * writer (its own hasher); only the token fields, the data and the headers differ between devices.
 * What repeats is kept: the runs no device hashes are written once per request and shared by all
 * devices (AuditInput.shared), a mount's fields once per mount entry (checked against the entry's
 * current values), and a device's token and accessor hashes once per cached token entry (which is
 * frozen and belongs to one token).
 */
import { flatten } from '../lib/flat-string.js';
import { isDeepFrozen } from '../lib/immutable.js';
import type { AuditInput, RequestRuns } from './model.js';
import { mountPoint, type EntryHasher, type EntryOptions } from './entry.js';
import { clientIdOfInput, mountClass, mountRunningVersion } from './vault-fields.js';
import { escapeGo, formatNumber, writeValue } from './format-json.js';

/**
 * `<head><escaped value>"` unless the value is empty; `head` is the field's whole literal prefix,
 * quote included (`,"path":"`), so each field adds two pieces to the text (lib/flat-string.ts).
 */
const str = (head: string, value: string | undefined): string => (value ? head + escapeGo(value) + '"' : '');
const num = (head: string, value: number | undefined): string => (value === undefined || value === 0 ? '' : head + formatNumber(value));

type Mount = NonNullable<AuditInput['mount']>;

export type RequestJsonWriter = (input: AuditInput, opts: EntryOptions) => string;

/** The mount's fields per mount entry, checked against the entry's current values. */
const mountTexts = new WeakMap<Mount, { path: string; type: string; accessor: string; table: string; text: string }>();

function mountFields(input: AuditInput, m: Mount): string {
  const known = mountTexts.get(m);
  if (known && known.path === m.path && known.type === m.type && known.accessor === m.accessor && known.table === m.table) return known.text;
  const text = flatten(str(',"mount_point":"', mountPoint(input)) + str(',"mount_type":"', m.type) + str(',"mount_accessor":"', m.accessor)
    + str(',"mount_running_version":"', mountRunningVersion(m)) + str(',"mount_class":"', mountClass(m)));
  mountTexts.set(m, { path: m.path, type: m.type, accessor: m.accessor, table: m.table, text });
  return text;
}

/** `,"client_id":"…"` per cached (frozen) token entry, whose id never changes. */
const clientIdTexts = new WeakMap<object, string>();

function clientIdField(input: AuditInput): string {
  const t = input.token;
  if (t === undefined) return '';
  let text = clientIdTexts.get(t);
  if (text === undefined) {
    text = flatten(str(',"client_id":"', clientIdOfInput(input)));
    if (isDeepFrozen(t)) clientIdTexts.set(t, text);
  }
  return text;
}

/**
 * The runs every device writes alike, around the ones that differ per device (token, data,
 * headers): written once per request and shared through AuditInput.shared.
 */
function commonRuns(input: AuditInput): RequestRuns {
  const kept = input.shared?.requestRuns;
  if (kept) return kept;
  const r = input.request;
  // The operation is never empty and is a plain verb (a typed union), so it needs no escaping
  // and the block always has a first field.
  const clientId = clientIdField(input);
  let head = r.id ? '{"id":"' + escapeGo(r.id) + '"' + clientId + ',"operation":"' : clientId ? '{' + clientId.slice(1) + ',"operation":"' : '{"operation":"';
  head += input.operation + '"';
  if (input.mount) head += mountFields(input, input.mount);
  const runs: RequestRuns = {
    head,
    location: r.path ? ',"namespace":{"id":"root"},"path":"' + escapeGo(r.path) + '"' : ',"namespace":{"id":"root"}',
    peer: str(',"remote_address":"', r.remoteAddress) + num(',"remote_port":', r.remotePort) + num(',"wrap_ttl":', r.wrapTtl),
  };
  if (input.shared) input.shared.requestRuns = runs;
  return runs;
}

export function createRequestJsonWriter(h: EntryHasher): RequestJsonWriter {
  const tokenTexts = new WeakMap<object, string>();

  function tokenFields(input: AuditInput): string {
    const t = input.token;
    const cacheable = t !== undefined && isDeepFrozen(t);
    let text = cacheable ? tokenTexts.get(t) : undefined;
    if (text === undefined) {
      const r = input.request;
      text = str(',"client_token":"', r.clientToken ? h.token(r.clientToken) : undefined) + str(',"client_token_accessor":"', t?.accessor ? h.accessor(t.accessor) : undefined);
      if (cacheable) tokenTexts.set(t, flatten(text));
    }
    return text;
  }

  return (input, opts) => {
    const r = input.request;
    const runs = commonRuns(input);
    let out = runs.head + tokenFields(input) + runs.location;
    if (r.data && Object.keys(r.data).length > 0) {
      out += `,"data":${writeValue(h.data(r.data, input.mount?.config.auditNonHmacRequestKeys ?? []))}`;
    }
    out += runs.peer;
    if (opts.headers && Object.keys(opts.headers.values).length > 0) {
      out += `,"headers":${writeValue(h.headers(opts.headers.values, opts.headers.hmac))}`;
    }
    return out + '}';
  };
}
