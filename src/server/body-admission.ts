/**
 * How much body a Vault API request may send, decided before it is read (a fastify `preParsing`
 * hook): a request with a valid token gets `max_request_size`; one without gets
 * `max_request_size_unauthenticated` — it will be refused, its body only feeds the audit record —
 * unless its path is served without a token (logins, sys/init, sys/unseal), which gets
 * `max_request_size_login`. A valid token whose policies grant the request's operation on its path
 * no capability at all is held to the unauthenticated allowances too: its request is refused
 * whatever it sends (the lifecycle answers 403 permission denied, not 413), and a principal with
 * no rights would otherwise make every value of a large body cost an HMAC in each audit entry. A declared Content-Length over the allowance is refused before a byte
 * is read; a chunked body is cut off at the allowance. Either way the connection is closed after
 * the answer, so the rest of the body is never read, and memory stays bounded by the allowances
 * however many such requests arrive at once.
 *
 * Such a body is also held to its allowance as its audit entries write it (each `<`, `>` and `&`
 * counts as six bytes: checkAuditedSize). A request without a valid token (or refused by its ACL)
 * may also send at most `max_request_json_entries_unauthenticated`
 * JSON values (each costs an HMAC in its audit record); the body parser applies that limit. Query
 * parameters become a GET's or LIST's data, so they count against the same limits, here
 * (`max_request_json_entries` with a valid token): a request over them is refused with 413 before
 * its body is read.
 *
 * Bodies too small to exceed any of these, with few query parameters, pass without a lookup, so
 * ordinary requests pay nothing here.
 */
import { Transform, type Readable } from 'node:stream';
import type { FastifyRequest } from 'fastify';
import { requestStanding, type Standing, type Core } from '../core/index.js';
import { SealtrailError } from '../errors/index.js';
import { clientTokenOf } from './client-token.js';
import { checkRequestPath } from './request-path.js';
import { requestOperation } from './request-operation.js';

export interface BodyAllowances {
  /** With a valid token (max_request_size; fastify enforces it). */
  authenticated: number;
  /** Paths served without a token. */
  login: number;
  /** Without a valid token, anywhere else. */
  unauthenticated: number;
  /** JSON entries (members and elements), and query parameters, of a request with a valid token. */
  entries: number;
  /** JSON entries (members and elements), and query parameters, of a request without a valid token. */
  unauthenticatedEntries: number;
}

/** What the body parser checks of a request without a valid token (or one its ACL refuses). */
export interface AdmittedBody {
  /** JSON values (members and elements). */
  entries: number;
  /** Bytes, each `<`, `>` and `&` counted as the six its audit entries write (`\u003c`). */
  auditedBytes: number;
}

const admittedBodies = new WeakMap<object, AdmittedBody>();

/** The limits admission set for this request's body, if it has no valid token or its ACL refuses it. */
export function admittedBody(req: FastifyRequest): AdmittedBody | undefined {
  return admittedBodies.get(req.raw);
}

const LT = 0x3c;
const GT = 0x3e;
const AMP = 0x26;

/**
 * The body's size as its audit entries write it: a key is written as sent (Vault hashes values
 * only) and Go's JSON escapes `<`, `>` and `&` as six bytes each, so a body of `<` keys costs six
 * times its size in every entry of every device. Refused with 413 past `limit`. Applies to every
 * body, within the allowance it was admitted under (`max_request_size` for a permitted token).
 */
export function checkAuditedSize(body: Uint8Array, limit: number): void {
  if (body.length > limit) throw bodyTooLarge();
  if (body.length * 6 <= limit) return;
  let escaped = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === LT || c === GT || c === AMP) escaped++;
  }
  if (body.length + 5 * escaped > limit) {
    throw new SealtrailError('too_large', 'body_too_large', `request body too large: ${limit} bytes as audited, where each <, > and & counts as six`);
  }
}

export const bodyTooLarge = () => new SealtrailError('too_large', 'body_too_large', 'request body too large');

const tooManyQueryParameters = (max: number) => new SealtrailError('too_large', 'query_too_many_parameters', `request has more than ${max} query parameters`);

/** How many query parameters fastify parsed (a repeated name counts each time). */
function queryParameters(req: FastifyRequest): number {
  if (!req.url.includes('?')) return 0;
  let n = 0;
  for (const v of Object.values(req.query as Record<string, unknown>)) n += Array.isArray(v) ? v.length : 1;
  return n;
}

/** The body's declared length: 0 without Content-Length or Transfer-Encoding, undefined if chunked. */
export function declaredLength(req: FastifyRequest): number | undefined {
  if (req.headers['transfer-encoding'] !== undefined) return undefined;
  const n = Number(req.headers['content-length'] ?? 0);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** Passes at most `limit` bytes, then fails with 413. */
function capped(source: Readable, limit: number): Readable {
  let seen = 0;
  const out = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      if (seen > limit) done(bodyTooLarge());
      else done(null, chunk);
    },
  });
  source.on('error', (err) => out.destroy(err));
  return source.pipe(out);
}

export function bodyAdmission(core: Core, allow: BodyAllowances) {
  const login = Math.min(allow.login, allow.authenticated);
  const unauthenticated = Math.min(allow.unauthenticated, login);
  const allowance: Record<Standing, number> = { token: allow.authenticated, refused_token: unauthenticated, unauthenticated_path: login, none: unauthenticated };
  // A body this small fits every allowance and cannot hold more entries than the smallest limit
  // (each entry past the first takes a value and a comma: two bytes at least).
  const unchecked = Math.min(unauthenticated, 2 * allow.unauthenticatedEntries);

  async function standingOf(req: FastifyRequest): Promise<Standing> {
    let path: string;
    try {
      path = checkRequestPath((req.params as Record<string, string>)['*'] ?? '');
    } catch {
      return 'none';
    }
    const operation = requestOperation(req);
    if (!operation) return 'none';
    if (operation === 'list' && !path.endsWith('/') && path !== '') path += '/';
    return requestStanding(core, path, clientTokenOf(req.headers), operation);
  }

  async function admit(req: FastifyRequest, payload: Readable, declared: number | undefined, parameters: number): Promise<Readable> {
    const standing = await standingOf(req);
    const limit = allowance[standing];
    if (standing !== 'token') {
      if (parameters > allow.unauthenticatedEntries) throw tooManyQueryParameters(allow.unauthenticatedEntries);
      admittedBodies.set(req.raw, { entries: allow.unauthenticatedEntries, auditedBytes: limit });
    }
    if (limit >= allow.authenticated) return payload;
    if (declared !== undefined) {
      if (declared > limit) throw bodyTooLarge();
      return payload;
    }
    return capped(payload, limit);
  }

  // Callback style, so the usual request (a small or empty body) costs no promise here.
  return function preParsing(req: FastifyRequest, _reply: unknown, payload: Readable, done: (err: Error | null, stream?: Readable) => void): void {
    const declared = declaredLength(req);
    const parameters = queryParameters(req);
    if (parameters > allow.entries) return done(tooManyQueryParameters(allow.entries));
    if (declared !== undefined && declared <= unchecked && parameters <= allow.unauthenticatedEntries) return done(null, payload);
    admit(req, payload, declared, parameters).then((stream) => done(null, stream), (err: Error) => done(err));
  };
}
