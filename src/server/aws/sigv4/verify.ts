/**
 * Verifies an AWS Signature Version 4 request (Authorization header form) against Sealtrail-issued
 * access keys. Returns a result, never throws on a bad request; failures carry the exception name
 * and message AWS's JSON services return:
 *
 *   no Authorization header            MissingAuthenticationTokenException
 *   malformed header / missing date    IncompleteSignatureException
 *   a required header not signed, a signed header absent   IncompleteSignatureException
 *   unknown access key, session token  UnrecognizedClientException
 *   wrong scope, skew > 15 min, bad signature, content hash ≠ body   InvalidSignatureException
 *
 * Messages never repeat what the caller sent, except dates already checked to be digits in
 * AWS's format: refusals are audited with their message, and an unauthenticated caller must not
 * write text of its choosing into the audit trail.
 *
 * `host`, `x-amz-date`, `x-amz-content-sha256` when sent, and whatever the caller names in
 * `requiredSignedHeaders` (the AWS edge: `x-amz-target`, which chooses the operation) must be
 * signed: an unsigned header could be swapped on a replayed request. The payload hash is always
 * computed from the received body, and signatures are compared in constant time.
 */
import { constantTimeEqual } from '../../../lib/compare.js';
import { canonicalRequest, sha256Hex, stringToSign } from './canonical.js';
import { parseAuthorization, type ParsedAuthorization } from './parse.js';
import { signString, type SigningKeyCache } from './signing-key.js';

export type SigV4FailureCode =
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'UnrecognizedClientException'
  | 'InvalidSignatureException';

export interface SigV4Request {
  method: string;
  /** Raw path, still percent-encoded. */
  path: string;
  /** Raw query string without `?`. */
  query: string;
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body: Uint8Array;
}

export interface SigV4Options<T extends { secretAccessKey: string }> {
  region: string;
  /** Accepted credential-scope services (`kms`; `cloudtrail` for CloudTrail targets). */
  services: readonly string[];
  /** ms since the epoch. */
  now: number;
  resolve: (accessKeyId: string) => Promise<T | undefined>;
  cache: SigningKeyCache;
  /** Default 15 minutes, as AWS. */
  maxSkewMs?: number;
  /** Lower-case names of headers that must be present and signed, besides host and x-amz-date. */
  requiredSignedHeaders?: readonly string[];
}

export type SigV4Result<T> =
  | { ok: true; identity: T; accessKeyId: string }
  | { ok: false; code: SigV4FailureCode; message: string };

export const SIGNATURE_MISMATCH_MESSAGE =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
export const UNRECOGNIZED_CLIENT_MESSAGE = 'The security token included in the request is invalid.';

const SKEW_MS = 15 * 60_000;

/** `20150830T123600Z` → ms, or undefined. */
export function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  // Date.UTC carries an hour 26 or a 31st of April into the next day: such a date is no date.
  return Number.isNaN(ms) || formatAmzDate(ms) !== s ? undefined : ms;
}

export function formatAmzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

const first = (v: string | readonly string[] | undefined) => (typeof v === 'string' ? v : v?.[0]);

type HeaderMap = Record<string, string | readonly string[] | undefined>;

/** A null-prototype copy with lower-cased names: no header name can reach an inherited property. */
function ownHeaders(headers: SigV4Request['headers']): HeaderMap {
  const out: HeaderMap = Object.create(null) as HeaderMap;
  for (const [k, v] of Object.entries(headers)) if (typeof v === 'string' || Array.isArray(v)) out[k.toLowerCase()] = v;
  return out;
}

/** How AWS names a header in its messages (`X-Amz-Target`). */
const displayName = (h: string) => h.split('-').map((p) => (p === '' ? p : p[0].toUpperCase() + p.slice(1))).join('-');

function unsignedRequired(signed: readonly string[], headers: HeaderMap, required: readonly string[]): string | undefined {
  if (!signed.includes('host')) return "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.";
  const mustSign = ['x-amz-date', ...required, ...(headers['x-amz-content-sha256'] !== undefined ? ['x-amz-content-sha256'] : [])];
  for (const h of mustSign) {
    if (headers[h] === undefined) return `Missing required header for this request: ${h}`;
    if (!signed.includes(h)) return `'${displayName(h)}' must be a 'SignedHeader' in the AWS Authorization.`;
  }
  const absent = signed.find((h) => headers[h] === undefined);
  return absent === undefined ? undefined : 'A header named in SignedHeaders does not exist in the HTTP request.';
}

/** What the headers alone settle: the refusal, or the parsed signature and its key's identity. */
type HeaderCheck<T> =
  | { ok: true; headers: HeaderMap; auth: ParsedAuthorization; amzDate: string; identity: T }
  | { ok: false; code: SigV4FailureCode; message: string };

/**
 * Every check that does not need the body, in verifySigV4's order. The AWS edge runs it before
 * reading a large body: a call these checks refuse is refused whatever its body holds.
 */
export async function checkSigV4Headers<T extends { secretAccessKey: string }>(
  requestHeaders: SigV4Request['headers'], opts: SigV4Options<T>,
): Promise<HeaderCheck<T>> {
  const headers = ownHeaders(requestHeaders);
  const authorization = first(headers.authorization);
  if (!authorization) return { ok: false, code: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  const parsed = parseAuthorization(authorization);
  if (!parsed.ok) return { ok: false, code: 'IncompleteSignatureException', message: parsed.message };
  const auth = parsed.value;
  const fail = (code: SigV4FailureCode, message: string): HeaderCheck<T> => ({ ok: false, code, message });

  const amzDate = first(headers['x-amz-date']);
  if (!amzDate) return fail('IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) return fail('IncompleteSignatureException', 'X-Amz-Date must be in ISO-8601 basic format (yyyyMMddTHHmmssZ).');
  const unsigned = unsignedRequired(auth.signedHeaders, headers, opts.requiredSignedHeaders ?? []);
  if (unsigned) return fail('IncompleteSignatureException', unsigned);
  if (first(headers['x-amz-security-token'])) return fail('UnrecognizedClientException', UNRECOGNIZED_CLIENT_MESSAGE);

  const identity = await opts.resolve(auth.accessKeyId);
  if (!identity) return fail('UnrecognizedClientException', UNRECOGNIZED_CLIENT_MESSAGE);

  if (auth.region !== opts.region) return fail('InvalidSignatureException', 'Credential should be scoped to a valid region. ');
  if (!opts.services.includes(auth.service)) return fail('InvalidSignatureException', `Credential should be scoped to correct service: '${opts.services[0]}'. `);
  if (auth.date !== amzDate.slice(0, 8)) return fail('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
  const skew = opts.maxSkewMs ?? SKEW_MS;
  if (signedAt < opts.now - skew) {
    return fail('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(opts.now - skew)} (${formatAmzDate(opts.now)} - 15 min.)`);
  }
  if (signedAt > opts.now + skew) {
    return fail('InvalidSignatureException', `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(opts.now + skew)} (${formatAmzDate(opts.now)} + 15 min.)`);
  }
  return { ok: true, headers, auth, amzDate, identity };
}

export async function verifySigV4<T extends { secretAccessKey: string }>(req: SigV4Request, opts: SigV4Options<T>): Promise<SigV4Result<T>> {
  const checked = await checkSigV4Headers(req.headers, opts);
  if (!checked.ok) return checked;
  const { headers, auth, amzDate, identity } = checked;
  const fail = (code: SigV4FailureCode, message: string): SigV4Result<T> => ({ ok: false, code, message });

  const payloadHash = sha256Hex(req.body);
  const claimedHash = first(headers['x-amz-content-sha256']);
  if (claimedHash !== undefined && claimedHash !== payloadHash) {
    return fail('InvalidSignatureException', "The provided 'x-amz-content-sha256' header does not match what was computed.");
  }
  const canonical = canonicalRequest({
    method: req.method, path: req.path, query: req.query, headers, signedHeaders: auth.signedHeaders, payloadHash,
  });
  const scope = `${auth.date}/${auth.region}/${auth.service}/aws4_request`;
  const key = opts.cache.get(auth.accessKeyId, identity.secretAccessKey, auth.date, auth.region, auth.service);
  const expected = signString(key, stringToSign(amzDate, scope, canonical));
  if (!constantTimeEqual(expected, auth.signature)) return fail('InvalidSignatureException', SIGNATURE_MISMATCH_MESSAGE);
  return { ok: true, identity, accessKeyId: auth.accessKeyId };
}
