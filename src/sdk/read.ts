/**
 * Reads that treat "nothing there" as a value, as Vault's own client does: a 404 whose body has no
 * errors resolves to undefined; a 404 that still carries data or warnings (a deleted KV v2 version)
 * resolves with that body; any other error status rejects with SealtrailApiError.
 */
import { asEnvelope, hasContent } from './envelope.js';
import { SealtrailApiError } from './errors.js';
import { normalizeApiPath } from './path.js';
import { errorsOf, type Transport } from './transport.js';
import type { Query, VaultResponse } from './types.js';

export async function readOrUndefined<T>(t: Transport, path: string, query?: Query): Promise<VaultResponse<T> | undefined> {
  const reply = await t.send('GET', path, { query });
  if (reply.status === 404) {
    if (hasContent(reply.body)) return asEnvelope<T>(reply.body);
    if (errorsOf(reply.body).length === 0) return undefined;
  }
  if (reply.status >= 400) {
    throw new SealtrailApiError({ status: reply.status, errors: errorsOf(reply.body), method: 'GET', path: normalizeApiPath(path) });
  }
  return asEnvelope<T>(reply.body);
}

/** LIST as `GET ?list=true` (Vault documents both; a GET passes every proxy). Folder paths end in `/`. */
export function listOrUndefined<T>(t: Transport, path: string): Promise<VaultResponse<T> | undefined> {
  const folder = normalizeApiPath(path).replace(/\/*$/, '/');
  return readOrUndefined<T>(t, folder, { list: true });
}
