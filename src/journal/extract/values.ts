/**
 * Reading fields of a parsed record that came from outside: every step checks the type, so a
 * record of the wrong shape yields no key rather than a wrong one or a crash.
 */
export type JsonObject = Readonly<Record<string, unknown>>;

export function objectOf(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonObject) : undefined;
}

/** A non-empty string field of an object, if it is one. */
export function stringOf(obj: JsonObject | undefined, key: string): string | undefined {
  const v = obj?.[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The first of `keys` that is a non-empty string field of `obj`. */
export function firstString(obj: JsonObject | undefined, ...keys: string[]): string | undefined {
  for (const key of keys) {
    const v = stringOf(obj, key);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The defined values only (a copy): a key a record does not carry stays absent. */
export function definedKeys<T extends object>(keys: T): T {
  const source = keys as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k in source) if (source[k] !== undefined) out[k] = source[k];
  return out as T;
}

const HASHED = 'hmac-sha256:';

/**
 * A correlation id only as the plain id: the HMAC of one (an audit device's salt) is a different
 * value that can never match the id an attestation record or a query names.
 */
export function plainId(value: string | undefined): string | undefined {
  return value === undefined || value.startsWith(HASHED) ? undefined : value;
}
