/** Reading Vault's envelope: sys/ answers carry their fields in `data` and (older style) at the top. */
import type { VaultResponse } from './types.js';

const ENVELOPE_KEYS = new Set(['request_id', 'lease_id', 'renewable', 'lease_duration', 'data', 'wrap_info', 'warnings', 'auth', 'mount_type']);

/** `body.data` when present, otherwise the top-level fields without the envelope's own keys. */
export function dataOf<T>(body: unknown): T {
  if (!body || typeof body !== 'object') return {} as T;
  const record = body as Record<string, unknown>;
  if (record.data && typeof record.data === 'object') return record.data as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) if (!ENVELOPE_KEYS.has(k)) out[k] = v;
  return out as T;
}

/** The answer as a typed envelope, or undefined when the server had nothing to say (204). */
export function asEnvelope<T>(body: unknown): VaultResponse<T> | undefined {
  return body === undefined ? undefined : (body as VaultResponse<T>);
}

/** True when a 404 body still carries something worth returning (KV v2 deleted versions do). */
export function hasContent(body: unknown): boolean {
  if (!body || typeof body !== 'object') return false;
  const { data, warnings } = body as { data?: unknown; warnings?: unknown };
  const dataHas = data !== null && typeof data === 'object' && Object.keys(data).length > 0;
  const warningsHas = Array.isArray(warnings) && warnings.length > 0;
  return dataHas || warningsHas;
}
