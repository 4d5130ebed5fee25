/**
 * The http device's options, named as OpenBao's http audit device names them: `uri` (required;
 * `url` is accepted too) and `headers`, a JSON object of header names to a list of values
 * (OpenBao's `map[string][]string`; a name with an empty list is ignored) or to a single string.
 * Header values are credentials: no message ever echoes them.
 */
import { optionReader } from '../options.js';
import type { DeviceOptions } from '../types.js';

export interface HttpSettings {
  url: URL;
  /** The device's format: the body's content type follows it. */
  format: 'json' | 'jsonx';
  /** Name and value pairs; a header with several values appears once per value. */
  headers: Array<[string, string]>;
  batchMaxLines: number;
  /** 0 = send as soon as the previous POST finished (see index.ts). */
  batchMaxWaitMs: number;
  timeoutMs: number;
  retries: number;
}

/** An HTTP token (RFC 9110), the names Node's HTTP client sends. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/**
 * A character Node's HTTP client refuses in a field value (ERR_INVALID_CHAR, its
 * checkInvalidHeaderChar): anything but tab and U+0020–U+007E, U+0080–U+00FF. Refused when the
 * device is enabled, not at its first POST.
 */
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/;
/** Set by the device itself; a user value would corrupt the request or fake its batch id. */
const RESERVED_HEADERS = new Set(['content-type', 'content-length', 'transfer-encoding', 'host', 'connection', 'x-sealtrail-batch-id']);

export function parseHttpOptions(options: DeviceOptions): HttpSettings {
  const opt = optionReader('http', options);
  const uri = opt.get('uri');
  const alias = opt.get('url');
  if (uri !== undefined && alias !== undefined && uri !== alias) throw opt.fail('url', 'must not differ from "uri" (give one of them)');
  const target = uri ?? alias;
  if (target === undefined) throw opt.fail('uri', 'is required');
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw opt.fail('uri', 'must be an absolute http:// or https:// URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw opt.fail('uri', 'must use http or https');
  if (url.username !== '' || url.password !== '') throw opt.fail('uri', 'must not contain credentials; pass them in "headers"');

  const headers: Array<[string, string]> = [];
  const rawHeaders = opt.get('headers');
  if (rawHeaders !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawHeaders);
    } catch {
      throw opt.fail('headers', 'must be a JSON object such as {"Authorization":["Bearer ..."]}');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw opt.fail('headers', 'must be a JSON object of header names to a list of values');
    }
    for (const [name, value] of Object.entries(parsed)) {
      if (!HEADER_NAME.test(name)) throw opt.fail('headers', `has an invalid header name "${name.slice(0, 64)}"`);
      if (RESERVED_HEADERS.has(name.toLowerCase())) throw opt.fail('headers', `must not set "${name}" (the device sets it)`);
      const values: unknown[] = Array.isArray(value) ? value : [value];
      for (const v of values) {
        if (typeof v !== 'string' || /[\r\n\0]/.test(v)) throw opt.fail('headers', `values of "${name}" must be single-line strings`);
        if (INVALID_VALUE_CHAR.test(v)) throw opt.fail('headers', `values of "${name}" must be Latin-1 text: only tab, U+0020–U+007E and U+0080–U+00FF`);
        headers.push([name, v]);
      }
    }
  }

  return {
    url,
    format: options.format === 'jsonx' ? 'jsonx' : 'json',
    headers,
    batchMaxLines: opt.int('batch_max_lines', 100, { min: 1, max: 100_000 }),
    batchMaxWaitMs: opt.durationMs('batch_max_wait', '0s', { allowZero: true }),
    timeoutMs: opt.durationMs('timeout', '5s'),
    retries: opt.int('retries', 2, { min: 0, max: 10 }),
  };
}

export const REDACTED = '<redacted>';

/**
 * The options as `GET sys/audit` shows them: header names and query parameter names kept, every
 * value replaced, so that listing devices never hands out the SIEM's credentials.
 */
export function redactHttpOptions(options: DeviceOptions): DeviceOptions {
  // `url` is `uri`'s alias: either may carry the receiver's token.
  const shownUris: Record<string, string> = {};
  for (const name of ['uri', 'url'] as const) {
    const shown = redactQuery(options[name]);
    if (shown !== undefined) shownUris[name] = shown;
  }
  const withUri: DeviceOptions = { ...options, ...shownUris };
  const raw = options.headers;
  if (raw === undefined || raw === '') return withUri;
  let shown = REDACTED;
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      shown = JSON.stringify(Object.fromEntries(Object.entries(parsed).map(([name, value]) =>
        [name, Array.isArray(value) ? value.map(() => REDACTED) : REDACTED])));
    }
  } catch {
    // Stored options were validated when the device was enabled; anything else shows as one mark.
  }
  return { ...withUri, headers: shown };
}

/**
 * The URI with every query value replaced: a receiver's token is sometimes passed as `?token=`
 * (Splunk's and Loki's gateways accept one), or as a bare item (`?<token>`), and the listing must
 * not hand it out either. A parameter's name is kept; a bare item and a fragment are replaced whole.
 */
function redactQuery(uri: string | undefined): string | undefined {
  if (uri === undefined) return undefined;
  const hash = uri.indexOf('#');
  const beforeHash = hash < 0 ? uri : uri.slice(0, hash);
  const fragment = hash < 0 ? '' : `#${REDACTED}`;
  const at = beforeHash.indexOf('?');
  if (at < 0) return beforeHash + fragment;
  const shown = beforeHash.slice(at + 1).split('&').map((pair) => {
    if (pair === '') return pair;
    const eq = pair.indexOf('=');
    return eq < 0 ? REDACTED : `${pair.slice(0, eq)}=${REDACTED}`;
  }).join('&');
  return `${beforeHash.slice(0, at)}?${shown}${fragment}`;
}
