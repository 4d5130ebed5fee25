/** `auth/token/*`: create, look up, renew and revoke tokens (Vault's token auth method). */
import { asEnvelope } from './envelope.js';
import { SealtrailNetworkError } from './errors.js';
import type { Transport } from './transport.js';
import type { TokenCreateRequest, TokenLookupData, VaultResponse } from './types.js';

/** A renew increment: seconds, or a Go duration string such as `"1h"`. */
export type Increment = number | string;

export interface TokenApi {
  /** The new token is in `auth.client_token`. */
  create(request?: TokenCreateRequest): Promise<VaultResponse<null>>;
  lookup(token: string): Promise<VaultResponse<TokenLookupData>>;
  lookupSelf(): Promise<VaultResponse<TokenLookupData>>;
  lookupAccessor(accessor: string): Promise<VaultResponse<TokenLookupData>>;
  renew(token: string, increment?: Increment): Promise<VaultResponse<null>>;
  renewSelf(increment?: Increment): Promise<VaultResponse<null>>;
  /** The answer's `auth.client_token` is empty: an accessor never reveals its token. */
  renewAccessor(accessor: string, increment?: Increment): Promise<VaultResponse<null>>;
  revoke(token: string): Promise<void>;
  /** Revokes the token only: its children become orphans. Needs `sudo` on `auth/token/revoke-orphan`. */
  revokeOrphan(token: string): Promise<void>;
  revokeSelf(): Promise<void>;
  revokeAccessor(accessor: string): Promise<void>;
}

/** The answer's envelope; an answer without one (an empty body) did not say what was done. */
const required = <T>(body: unknown, method: 'GET' | 'POST', path: string): T => {
  const envelope = asEnvelope<T>(body);
  if (!envelope) throw new SealtrailNetworkError(method, `auth/token/${path}`, 'the server answered with no body');
  return envelope as T;
};

export function createTokenApi(t: Transport): TokenApi {
  const post = (path: string, body?: Record<string, unknown>) => t.call('POST', `auth/token/${path}`, { body });
  return {
    create: async (request = {}) => required(await post('create', { ...request }), 'POST', 'create'),
    lookup: async (token) => required(await post('lookup', { token }), 'POST', 'lookup'),
    lookupSelf: async () => required(await t.call('GET', 'auth/token/lookup-self'), 'GET', 'lookup-self'),
    lookupAccessor: async (accessor) => required(await post('lookup-accessor', { accessor }), 'POST', 'lookup-accessor'),
    renew: async (token, increment) => required(await post('renew', { token, ...(increment !== undefined ? { increment } : {}) }), 'POST', 'renew'),
    renewSelf: async (increment) => required(await post('renew-self', increment !== undefined ? { increment } : {}), 'POST', 'renew-self'),
    renewAccessor: async (accessor, increment) =>
      required(await post('renew-accessor', { accessor, ...(increment !== undefined ? { increment } : {}) }), 'POST', 'renew-accessor'),
    revoke: async (token) => void (await post('revoke', { token })),
    revokeOrphan: async (token) => void (await post('revoke-orphan', { token })),
    revokeSelf: async () => void (await post('revoke-self')),
    revokeAccessor: async (accessor) => void (await post('revoke-accessor', { accessor })),
  };
}
