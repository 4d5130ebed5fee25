/**
 * The listener's limits on request input beyond Vault's `max_request_size`: how much body a
 * request may send before its token is known to be valid, and how deep and how large its JSON may
 * be. A request without a valid token is refused whatever it sends, so its body is only kept for
 * its audit record and gets a small allowance; the paths served without a token (logins,
 * sys/init, sys/unseal) get a moderate one. Each is capped by `max_request_size`. A request
 * without a valid token may also send fewer JSON values, since its audit record HMACs each one.
 */
import { wholeNumber } from './values.js';

export interface RequestLimits {
  /** Bytes of body a request without a valid token may send to a path that needs one. */
  maxRequestSizeUnauthenticated: number;
  /** Bytes of body for the paths served without a token: logins, sys/init, sys/unseal. */
  maxRequestSizeLogin: number;
  /** Deepest nesting of objects and arrays in a JSON body (the body itself is level 1). */
  maxRequestJsonDepth: number;
  /** Most object members plus array elements in a JSON body, counted over all levels. */
  maxRequestJsonEntries: number;
  /** The same, for a request without a valid token: each entry costs an HMAC in its audit record. */
  maxRequestJsonEntriesUnauthenticated: number;
}

export const DEFAULT_REQUEST_LIMITS: Readonly<RequestLimits> = {
  maxRequestSizeUnauthenticated: 64 * 1024,
  maxRequestSizeLogin: 1024 * 1024,
  maxRequestJsonDepth: 64,
  maxRequestJsonEntries: 100_000,
  maxRequestJsonEntriesUnauthenticated: 1000,
};

/** The listener keys, as written in the configuration, and the field each sets. */
const KEYS = {
  max_request_size_unauthenticated: 'maxRequestSizeUnauthenticated',
  max_request_size_login: 'maxRequestSizeLogin',
  max_request_json_depth: 'maxRequestJsonDepth',
  max_request_json_entries: 'maxRequestJsonEntries',
  max_request_json_entries_unauthenticated: 'maxRequestJsonEntriesUnauthenticated',
} as const satisfies Record<string, keyof RequestLimits>;

export const REQUEST_LIMIT_KEYS: readonly string[] = Object.keys(KEYS);

/** Reads the request-limit keys of a listener block; `fail` builds the configuration error. */
export function parseRequestLimits(body: Readonly<Record<string, unknown>>, fail: (message: string) => Error): Partial<RequestLimits> {
  const out: Partial<RequestLimits> = {};
  for (const [key, field] of Object.entries(KEYS)) {
    if (!Object.hasOwn(body, key)) continue;
    const n = wholeNumber(body[key]);
    if (!Number.isInteger(n) || n <= 0) throw fail(`listener.${key} must be a positive integer`);
    out[field] = n;
  }
  return out;
}
