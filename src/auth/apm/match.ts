/**
 * Which roles admit verified claims, and the token they grant together.
 *
 * A role admits claims of its platform whose signer, enclave (when the role names one) and every
 * listed PCR equal the measured values. Debug-mode evidence is admitted only by a role that allows
 * debug (or, when the role does not say, by the platform config).
 *
 * All admitting roles apply, as APM authorizations do: authorizing a signer for secret A and one
 * of its enclaves for secret B lets that enclave read both. The grant is the union of their
 * policies with the strictest limits (the smallest non-zero TTL and use count).
 */
import type { AttestationClaims } from '../../attestation/index.js';
import type { ApmRole } from './roles.js';

export interface RoleGrant {
  /** Sorted names of the admitting roles. */
  roles: string[];
  policies: string[];
  /** Seconds; 0 = the mount default. */
  ttl: number;
  /** 0 = unlimited. */
  numUses: number;
}

export type RoleMatch = { ok: true; grant: RoleGrant } | { ok: false; reason: 'no_matching_role' | 'debug_not_allowed' };

function admitsMeasurements(role: ApmRole, claims: AttestationClaims): boolean {
  if (role.platform !== claims.platform || role.signerId !== claims.signerId) return false;
  if (role.enclaveId !== undefined && role.enclaveId !== claims.enclaveId) return false;
  return Object.entries(role.pcrs).every(([index, value]) => claims.measurements[index] === value);
}

/** The smallest non-zero value, or 0 when every value is 0 (unlimited / default). */
function strictest(values: number[]): number {
  const set = values.filter((v) => v > 0);
  return set.length === 0 ? 0 : Math.min(...set);
}

export function matchRoles(roles: readonly ApmRole[], claims: AttestationClaims, platformAllowsDebug: boolean): RoleMatch {
  const candidates = roles.filter((r) => admitsMeasurements(r, claims));
  if (candidates.length === 0) return { ok: false, reason: 'no_matching_role' };
  const admitting = claims.debug ? candidates.filter((r) => r.allowDebug ?? platformAllowsDebug) : candidates;
  if (admitting.length === 0) return { ok: false, reason: 'debug_not_allowed' };
  return {
    ok: true,
    grant: {
      roles: admitting.map((r) => r.name).sort(),
      policies: [...new Set(admitting.flatMap((r) => r.tokenPolicies))].sort(),
      ttl: strictest(admitting.map((r) => r.tokenTtl)),
      numUses: strictest(admitting.map((r) => r.tokenNumUses)),
    },
  };
}
