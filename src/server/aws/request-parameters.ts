/**
 * CloudTrail's `requestParameters`: the request's members in lowerCamelCase, without anything that
 * is or leads to secret material — Plaintext, CiphertextBlob, the attestation document, grant
 * tokens. Encryption contexts are kept (CloudTrail shows them) with their keys unchanged.
 */
const DROPPED = new Set(['Plaintext', 'CiphertextBlob', 'AttestationDocument', 'GrantTokens', 'CiphertextForRecipient']);
// Maps whose keys are user data, not member names.
const USER_MAPS = new Set(['EncryptionContext', 'SourceEncryptionContext', 'DestinationEncryptionContext']);

const lowerFirst = (s: string) => (s === '' ? s : s[0].toLowerCase() + s.slice(1));

function convert(value: unknown, depth: number): unknown {
  if (depth > 8) return null;
  if (Array.isArray(value)) return value.map((v) => convert(v, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (DROPPED.has(k)) continue;
    out[lowerFirst(k)] = USER_MAPS.has(k) && v !== null && typeof v === 'object' ? { ...(v as Record<string, unknown>) } : convert(v, depth + 1);
  }
  return out;
}

export function requestParameters(body: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!body) return null;
  const out = convert(body, 0) as Record<string, unknown>;
  return Object.keys(out).length === 0 ? null : out;
}
