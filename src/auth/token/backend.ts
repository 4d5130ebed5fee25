/**
 * The token auth method, mounted at `auth/token/`. Paths and answers follow Vault's token store:
 *
 *   create, create-orphan                         → auth block (issuedAuth), no data
 *   lookup, lookup-self, lookup-accessor          → token properties (lookup-data.ts)
 *   renew, renew-self, renew-accessor             → auth block with the new lease
 *   revoke, revoke-self, revoke-accessor, revoke-orphan → 204
 *   accessors (LIST, sudo)                        → { keys }
 *
 * Unknown tokens: lookup → 403 "bad token" (as Vault), renew → 400 "token not found", revoke → 204
 * (Vault does not reveal whether it existed); unknown accessors → 400 "invalid accessor".
 */
import { backendFromPaths, type PathRequest, type PathSpec, type Backend, type LogicalResponse, type TokenEntry } from '../../core/index.js';
import { SealtrailError, invalid } from '../../errors/index.js';
import type { Clock } from '../../lib/clock.js';
import { goDuration } from '../../lib/time.js';
import type { PolicyStore } from '../policy/types.js';
import { CREATE_FIELDS, callerHasSudo, handleCreate, issuedAuthFor } from './create.js';
import { durationField, stringField } from './fields.js';
import { lookupResponse } from './lookup-data.js';
import { SPENT } from './store.js';
import type { TokenStore } from './types.js';

export interface TokenBackendDeps {
  tokens: TokenStore & { listAccessors?(): Promise<string[]> };
  policies: PolicyStore;
  clock: Clock;
}

const badToken = () => new SealtrailError('permission', 'bad_token', 'bad token');
const invalidAccessor = () => invalid('invalid accessor', 'invalid_accessor');

export function tokenBackend(deps: TokenBackendDeps): Backend {
  const { tokens, policies, clock } = deps;

  function tokenField(req: PathRequest): string {
    const id = stringField(req.data, 'token');
    if (id === '') throw invalid('missing token ID', 'missing_token');
    return id;
  }

  function accessorField(req: PathRequest): string {
    const accessor = stringField(req.data, 'accessor');
    if (accessor === '') throw invalid('missing accessor', 'missing_accessor');
    return accessor;
  }

  async function byAccessor(req: PathRequest): Promise<TokenEntry> {
    const entry = await tokens.lookupByAccessor(accessorField(req));
    if (!entry) throw invalidAccessor();
    return entry;
  }

  /**
   * The token `id`, as the caller `req` sees it. The caller's own token whose last use this very
   * request spent is no longer live: it is shown from the request's entry with num_uses -1, its
   * revocation pending, as Vault shows it.
   */
  async function lookup(req: PathRequest, id: string): Promise<LogicalResponse> {
    if (id === '') throw invalid('missing token ID', 'missing_token');
    const own = id === req.logical.clientToken ? req.token : undefined;
    const entry = (await tokens.lookup(id)) ?? (own && (own.numUses > 0 ? { ...own, numUses: SPENT } : own));
    if (!entry) throw badToken();
    return lookupResponse(entry, id, clock.now());
  }

  async function renew(req: PathRequest, entry: TokenEntry | undefined, clientToken: string): Promise<LogicalResponse> {
    if (!entry) throw invalid('token not found', 'token_not_found');
    const increment = durationField(req.data, 'increment');
    const renewed = await tokens.renew(entry, increment || undefined);
    // The TTL granted, as Vault answers it: seconds counted from now would come out one short.
    const issuedAuth = issuedAuthFor(renewed.entry, clientToken, renewed.entry.expireTime - renewed.ttl * 1000);
    if (increment > 0 && renewed.entry.period === 0 && renewed.ttl < increment) {
      const warning = `TTL of "${goDuration(increment)}" exceeded the effective max_ttl of "${goDuration(renewed.ttl)}"; TTL value is capped accordingly`;
      return { issuedAuth, warnings: [warning] };
    }
    return { issuedAuth };
  }

  const self = (req: PathRequest): TokenEntry => {
    if (!req.token) throw invalid('missing token ID', 'missing_token');
    return req.token;
  };

  const create = (orphan: boolean) => (req: PathRequest) => handleCreate(req, { tokens, policies }, orphan, clock.now());
  const lookupSelf = (req: PathRequest) => lookup(req, req.logical.clientToken);

  const specs: PathSpec[] = [
    { pattern: 'create', handlers: { update: create(false) }, fields: CREATE_FIELDS },
    { pattern: 'create-orphan', handlers: { update: create(true) }, fields: CREATE_FIELDS },
    {
      pattern: 'lookup',
      handlers: {
        update: (req) => lookup(req, stringField(req.data, 'token') || req.logical.clientToken),
        read: (req) => lookup(req, stringField(req.data, 'token') || req.logical.clientToken),
      },
    },
    { pattern: 'lookup-self', handlers: { read: lookupSelf, update: lookupSelf } },
    {
      pattern: 'lookup-accessor',
      handlers: {
        update: async (req) => lookupResponse(await byAccessor(req), '', clock.now()),
      },
    },
    {
      pattern: 'renew',
      handlers: {
        update: async (req) => {
          const id = tokenField(req);
          return renew(req, await tokens.lookup(id), id);
        },
      },
    },
    { pattern: 'renew-self', handlers: { update: (req) => renew(req, self(req), req.logical.clientToken) } },
    { pattern: 'renew-accessor', handlers: { update: async (req) => renew(req, await byAccessor(req), '') } },
    {
      pattern: 'revoke',
      handlers: {
        update: async (req) => {
          const entry = await tokens.lookup(tokenField(req));
          if (entry) await tokens.revokeTree(entry);
          return undefined;
        },
      },
    },
    { pattern: 'revoke-self', handlers: { update: async (req) => { await tokens.revokeTree(self(req)); return undefined; } } },
    {
      pattern: 'revoke-accessor',
      handlers: { update: async (req) => { await tokens.revokeTree(await byAccessor(req)); return undefined; } },
    },
    {
      pattern: 'revoke-orphan',
      handlers: {
        update: async (req) => {
          const id = tokenField(req);
          if (!(await callerHasSudo(req, policies))) {
            throw invalid('root or sudo privileges required to revoke and orphan', 'sudo_required');
          }
          const entry = await tokens.lookup(id);
          if (!entry) throw invalid('token to revoke not found', 'token_not_found');
          await tokens.revokeOrphan(entry);
          return undefined;
        },
      },
    },
    {
      pattern: 'accessors/?',
      handlers: {
        list: async () => {
          if (!tokens.listAccessors) throw invalid('this token store cannot list accessors', 'unsupported');
          return { data: { keys: await tokens.listAccessors() } };
        },
      },
    },
  ];

  // Vault's root-protected paths of the token store: they need sudo on top of the capability.
  // `revoke-orphan` itself is not one (Vault's PathsSpecial has `revoke-orphan/*`): its handler
  // asks the ACL for sudo and answers a caller without it 400 `sudo_required`, as Vault does.
  return backendFromPaths(specs, { rootPaths: ['revoke-orphan/*', 'accessors*'] });
}
