/** `auth/token/*`: create, look up, renew and revoke tokens (Vault's token auth method). */
import { asEnvelope } from './envelope.js';
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
  revoke(token: string): Promise<void>;
  revokeSelf(): Promise<void>;
  revokeAccessor(accessor: string): Promise<void>;
}

const required = <T>(body: unknown, what: string): T => {
  const envelope = asEnvelope<T>(body);
  if (!envelope) throw new Error(`${what}: the server returned no body`);
  return envelope as T;
};

export function createTokenApi(t: Transport): TokenApi {
  const post = (path: string, body?: Record<string, unknown>) => t.call('POST', `auth/token/${path}`, { body });
  return {
    create: async (request = {}) => required(await post('create', { ...request }), 'token create'),
    lookup: async (token) => required(await post('lookup', { token }), 'token lookup'),
    lookupSelf: async () => required(await t.call('GET', 'auth/token/lookup-self'), 'token lookup-self'),
    lookupAccessor: async (accessor) => required(await post('lookup-accessor', { accessor }), 'token lookup-accessor'),
    renew: async (token, increment) => required(await post('renew', { token, ...(increment !== undefined ? { increment } : {}) }), 'token renew'),
    renewSelf: async (increment) => required(await post('renew-self', increment !== undefined ? { increment } : {}), 'token renew-self'),
    revoke: async (token) => void (await post('revoke', { token })),
    revokeSelf: async () => void (await post('revoke-self')),
    revokeAccessor: async (accessor) => void (await post('revoke-accessor', { accessor })),
  };
}
