/**
 * The SigV4 canonical request and string to sign (AWS's "Create a canonical request"):
 *
 *   METHOD \n canonical URI \n canonical query \n canonical headers \n signed headers \n payload hash
 *
 * The URI is normalized and URI-encoded once more (every service but S3 double-encodes); query
 * pairs are RFC 3986-encoded and sorted; header values are trimmed with inner space runs collapsed.
 */
import { hash } from 'node:crypto';

export interface CanonicalInput {
  method: string;
  /** The raw (still percent-encoded) path of the request target. */
  path: string;
  /** The raw query string without `?`. */
  query: string;
  /** Lower-cased header name → value(s). */
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  signedHeaders: readonly string[];
  payloadHash: string;
}

/** RFC 3986 encoding: everything but A-Z a-z 0-9 - . _ ~ is percent-encoded. */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s.replace(/\+/g, '%20')); } catch { return s; }
}

export function canonicalUri(path: string): string {
  const segments: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return uriEncode(normalized).replace(/%2F/g, '/');
}

export function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query.split('&').filter((p) => p !== '').map((p) => {
    const eq = p.indexOf('=');
    const k = eq < 0 ? p : p.slice(0, eq);
    const v = eq < 0 ? '' : p.slice(eq + 1);
    return [uriEncode(safeDecode(k)), uriEncode(safeDecode(v))] as const;
  });
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

/**
 * A header value trimmed, with its runs of spaces and tabs made one space. Node hands header values
 * over as latin1 (one character per byte), so only ASCII blanks are blanks here: 0xA0 is a byte of
 * many UTF-8 characters (`à` is C3 A0), not a space.
 */
function headerValue(v: string | readonly string[] | undefined): string {
  const values = v === undefined ? [] : typeof v === 'string' ? [v] : v;
  return values.map((x) => x.replace(/^[ \t]+|[ \t]+$/g, '').replace(/[ \t]+/g, ' ')).join(',');
}

export function canonicalRequest(input: CanonicalInput): string {
  const names = [...input.signedHeaders].map((h) => h.toLowerCase()).sort();
  // Own properties only: a signed header named `constructor` or `__proto__` is just absent.
  const headers = names.map((h) => `${h}:${headerValue(Object.hasOwn(input.headers, h) ? input.headers[h] : undefined)}\n`).join('');
  return [input.method.toUpperCase(), canonicalUri(input.path), canonicalQuery(input.query), headers, names.join(';'), input.payloadHash].join('\n');
}

/** One-shot (`crypto.hash`): no Hash object per call, about half the cost for a request's few KiB. */
export const sha256Hex = (data: string | Uint8Array) => hash('sha256', data, 'hex');

/**
 * The string to sign of a canonical request built from the request as received. AWS hashes the
 * bytes the client sent; Node's header values are those bytes one character each (latin1), and
 * every other part is ASCII, so the request is hashed as latin1: a signed header sent in UTF-8 (as
 * a Python or Go client sends and signs it) hashes as its client hashed it.
 */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return ['AWS4-HMAC-SHA256', amzDate, scope, hash('sha256', Buffer.from(canonical, 'latin1'), 'hex')].join('\n');
}
