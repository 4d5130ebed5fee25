/**
 * Keys of a Vault/OpenBao-format audit entry (request or response). The accessor is kept as the
 * entry has it: HMAC'd with the salt of the device that wrote the line (or plain with
 * hmac_accessor=false), so it joins only with entries hashed by the same salt.
 */
import type { JournalKeys } from '../types.js';
import { definedKeys, firstString, objectOf, plainId, stringOf, type JsonObject } from './values.js';

/**
 * The attestation login's correlation id, from the response only, as the server keys its own
 * entries (audit/device.ts): `response.data.data.correlation_id` (init and auth answer it nested,
 * as APM does), else `response.data.correlation_id`. A request body's id is the client's text,
 * and anyone may send any id. Kept only when the device left it plain (`audit_non_hmac_*_keys`).
 */
function correlationIdOf(response: JsonObject | undefined): string | undefined {
  const responseData = objectOf(response?.data);
  return plainId(stringOf(objectOf(responseData?.data), 'correlation_id'))
    ?? plainId(stringOf(responseData, 'correlation_id'));
}

export function vaultEntryKeys(entry: JsonObject): JournalKeys {
  const auth = objectOf(entry.auth);
  const request = objectOf(entry.request);
  const response = objectOf(entry.response);
  // A login's own token appears in the response's auth block: the caller had none before it.
  const responseAuth = objectOf(response?.auth);
  return definedKeys<JournalKeys>({
    requestId: stringOf(request, 'id'),
    accessor: stringOf(auth, 'accessor') ?? stringOf(request, 'client_token_accessor') ?? stringOf(responseAuth, 'accessor'),
    entityId: stringOf(auth, 'entity_id') ?? stringOf(responseAuth, 'entity_id'),
    correlationId: correlationIdOf(response),
    remoteAddress: stringOf(request, 'remote_address'),
    path: typeof request?.path === 'string' ? request.path : undefined,
    operation: firstString(request, 'operation'),
    outcome: stringOf(entry, 'error') !== undefined ? 'failure' : 'success',
  });
}
