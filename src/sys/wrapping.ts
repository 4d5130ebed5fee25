/**
 * sys/wrapping, Vault's response-wrapping endpoints (core/wrapping.ts does the work):
 *
 *   POST wrapping/unwrap  {token?}  → the wrapped response, once. The wrapping token comes from
 *                                     `token`, or is the client token itself; either way it is spent
 *                                     before the response is read (one unwrap of concurrent ones wins).
 *   POST wrapping/lookup  {token?}  → {creation_ttl, creation_time, creation_path}; spends nothing
 *                                     (unauthenticated, as in Vault: the token is in the body, or
 *                                     is the client token, which the path does not spend).
 *   POST wrapping/wrap    {...}     → the body, wrapped (needs X-Vault-Wrap-TTL).
 *   POST wrapping/rewrap  {token?}  → the same response under a new wrapping token with the first
 *                                     one's TTL and creation path; the first is spent.
 */
import { type PathRequest, type PathSpec, type LogicalResponse, type TokenEntry, type Wrapping, isWrappingToken } from '../core/index.js';
import { SealtrailError, invalid } from '../errors/index.js';
import type { TokenStore } from '../auth/index.js';

export interface WrappingPathDeps {
  tokens: TokenStore;
  wrapping: () => Wrapping;
}

const invalidToken = () => invalid('wrapping token is not valid or does not exist', 'wrapping_token_invalid');

export function wrappingPaths(deps: WrappingPathDeps): PathSpec[] {
  /** The wrapping token named in the body; undefined when the body names none. */
  async function bodyToken(req: PathRequest): Promise<TokenEntry | undefined> {
    const raw = req.data.token;
    if (raw === undefined || raw === '') return undefined;
    if (typeof raw !== 'string') throw invalid('"token" must be a string', 'invalid_request');
    const entry = await deps.tokens.lookup(raw);
    if (!isWrappingToken(entry)) throw invalidToken();
    return entry;
  }

  /**
   * Spends a wrapping token named in the body through the token store's one-at-a-time use, as the
   * lifecycle spends a client token: of concurrent unwraps naming one token, only the first gets
   * past this, since reading and deleting the wrapped response are two steps (Vault's
   * UseTokenByID before the cubbyhole read).
   */
  async function spend(named: TokenEntry): Promise<void> {
    try {
      await deps.tokens.use(named);
    } catch (err) {
      if (err instanceof SealtrailError && err.kind === 'permission') throw invalidToken();
      throw err;
    }
  }

  /**
   * Runs `consume` with the wrapping token an unwrap or a rewrap consumes, spent: named in the
   * body (spent here, and revoked once `consume` is done), or the client token itself (spent, and
   * revoked after the request, by the lifecycle). Of concurrent calls naming one token, only the
   * first gets past the spending.
   */
  async function withSpentToken(req: PathRequest, consume: (token: TokenEntry) => Promise<LogicalResponse>): Promise<LogicalResponse> {
    const named = await bodyToken(req);
    const token = named ?? req.token;
    if (!isWrappingToken(token)) throw invalidToken();
    if (!named) return consume(token);
    await spend(named);
    try {
      return await consume(named);
    } finally {
      // Spent already, it serves nothing; the token store's tidy pass revokes it if this fails.
      await deps.tokens.revokeSpent(named).catch(() => undefined);
    }
  }

  const unwrap = (req: PathRequest): Promise<LogicalResponse> => withSpentToken(req, (token) => deps.wrapping().unwrap(token));
  const rewrap = (req: PathRequest): Promise<LogicalResponse> => withSpentToken(req, (token) => deps.wrapping().rewrap(token));

  async function lookup(req: PathRequest): Promise<LogicalResponse> {
    // As in Vault: the token in the body, else the client token (which this path does not spend).
    const token = (await bodyToken(req)) ?? req.token;
    if (!token) throw invalid('"token" is required', 'invalid_request');
    if (!isWrappingToken(token)) throw invalidToken();
    return { data: { ...(await deps.wrapping().lookup(token)) } };
  }

  async function wrap(req: PathRequest): Promise<LogicalResponse> {
    if (req.logical.wrapTtl === 0) throw invalid('wrapping requires a TTL: send X-Vault-Wrap-TTL', 'wrapping_ttl_missing');
    if (Object.keys(req.data).length === 0) throw invalid('no data provided to wrap', 'invalid_request');
    return { data: { ...req.data } };
  }

  return [
    { pattern: 'wrapping/unwrap', handlers: { update: unwrap } },
    { pattern: 'wrapping/lookup', handlers: { update: lookup, read: lookup } },
    { pattern: 'wrapping/wrap', handlers: { update: wrap } },
    { pattern: 'wrapping/rewrap', handlers: { update: rewrap } },
  ];
}
