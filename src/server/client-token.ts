/** The client token of a Vault API request: X-Vault-Token, else `Authorization: Bearer`; "" when none. */
import type { IncomingHttpHeaders } from 'node:http';

const BEARER = /^bearer\s+/i;

export function clientTokenOf(headers: IncomingHttpHeaders): string {
  const token = headers['x-vault-token'];
  if (typeof token === 'string' && token !== '') return token;
  const authz = headers.authorization;
  return typeof authz === 'string' && BEARER.test(authz) ? authz.replace(BEARER, '').trim() : '';
}
