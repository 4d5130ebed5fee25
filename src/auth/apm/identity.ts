/**
 * The identity an attested workload logs in as. Every run of one image under one signer has the
 * same entity id (so its secret reads can be grouped), while each login gets its own token accessor.
 *
 * entity_id = UUIDv5 (RFC 9562 §5.5) over the name `<signer_id>:<enclave_id>` (lower-case hex) in
 * Sealtrail's fixed APM namespace below. The namespace never changes: changing it would give every
 * enclave a new entity id and break the correlation of old audit logs.
 */
import { createHash } from 'node:crypto';

export const APM_ENTITY_NAMESPACE = '5b0c7f3e-2a6d-4c1f-9e84-3d1b6f0a9c27';

function uuidBytes(uuid: string): Buffer {
  const hex = uuid.replace(/-/g, '');
  if (!/^[0-9a-f]{32}$/i.test(hex)) throw new Error(`not a UUID: ${uuid}`);
  return Buffer.from(hex, 'hex');
}

/** UUID version 5: SHA-1 of namespace || name, with the version and variant bits set. */
export function uuidV5(namespace: string, name: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export function entityIdFor(signerId: string, enclaveId: string): string {
  return uuidV5(APM_ENTITY_NAMESPACE, `${signerId.toLowerCase()}:${enclaveId.toLowerCase()}`);
}

/**
 * The login's own part of the token's display name; the core prefixes the mount path, as Vault
 * does, so a login on `auth/apm/` is `apm-anjuna-entity-<signer_id>-<enclave_id>`.
 */
export function displayNameFor(signerId: string, enclaveId: string): string {
  return `anjuna-entity-${signerId.toLowerCase()}-${enclaveId.toLowerCase()}`;
}
