/**
 * What a failed delivery is known by: a code, never a message. Messages carry file paths, URLs
 * and sometimes what a store sent back; a code (ENOSPC, ECONNREFUSED, NoSuchBucket, AccessDenied)
 * says what went wrong and is safe to show in GetTrailStatus and the server log.
 */
const SYSTEM_CODE = /^[A-Z][A-Z0-9_]{0,31}$/;
/** S3's error codes as the SDK names its exceptions (NoSuchBucket, SignatureDoesNotMatch). */
const SERVICE_CODE = /^[A-Z][A-Za-z0-9]{1,63}$/;

export function deliveryErrorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; $metadata?: unknown } | null;
  if (typeof e?.code === 'string' && SYSTEM_CODE.test(e.code)) return e.code;
  // Only an answer from the store names its error; a generic Error or TypeError does not.
  if (e?.$metadata !== undefined && typeof e.name === 'string' && SERVICE_CODE.test(e.name) && e.name !== 'Error') return e.name;
  return 'DeliveryFailed';
}
