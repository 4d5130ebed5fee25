/**
 * Which roles admit verified claims, and the token they grant together.
 *
 * A role admits claims of its platform whose signer and enclave (when the role names them), every
 * listed PCR and named measurement equal the measured values. Debug-mode evidence is admitted only
 * by a role that allows debug (or, when the role does not say, by the platform config), and only
 * evidence whose TCB meets the role's rules (tcb-rules.ts).
 *
 * All admitting roles apply, as APM authorizations do: authorizing a signer for secret A and one
 * of its enclaves for secret B lets that enclave read both. The grant is the union of their
 * policies with the strictest limits (the smallest non-zero TTL and use count).
 */
import type { AttestationClaims } from '../../attestation/index.js';
import type { ApmRole } from './roles.js';
import { tdxRoleLacks } from './role-platform.js';
import { meetsTcbRules } from './tcb-rules.js';

export interface RoleGrant {
  /** Sorted names of the admitting roles. */
  roles: string[];
  policies: string[];
  /** Seconds; 0 = the mount default. */
  ttl: number;
  /** 0 = unlimited. */
  numUses: number;
  /** The token goes to the client only sealed to the enclave's key. */
  boundToEnclaveKey: boolean;
}

export type RoleMatch =
  | { ok: true; grant: RoleGrant }
  | { ok: false; reason: 'no_matching_role' | 'debug_not_allowed' | 'tcb_not_accepted' | 'enclave_key_missing' }
  /** Only roles stored before their platform's rules match: role name → the fields it must add. */
  | { ok: false; reason: 'role_incomplete'; lacking: Record<string, string> };

/**
 * What a role found in storage must still pin before it admits anything: a tdx role without mr_td
 * pins only what the host chooses, one without a workload RTMR only the firmware. roles.ts
 * refuses to write either.
 */
export const roleLacks = (role: ApmRole): string | undefined => (role.platform === 'tdx' ? tdxRoleLacks(role) : undefined);

function pinnedValuesMatch(role: ApmRole, claims: AttestationClaims): boolean {
  if (role.platform !== claims.platform) return false;
  if (role.signerId !== undefined && role.signerId !== claims.signerId) return false;
  if (role.enclaveId !== undefined && role.enclaveId !== claims.enclaveId) return false;
  const pinned = [...Object.entries(role.pcrs), ...Object.entries(role.measurements)];
  return pinned.every(([name, value]) => Object.hasOwn(claims.measurements, name) && claims.measurements[name] === value);
}

/** The smallest non-zero value, or 0 when every value is 0 (unlimited / default). */
export function strictest(values: number[]): number {
  const set = values.filter((v) => v > 0);
  return set.length === 0 ? 0 : Math.min(...set);
}

/** No complete role matches: say which incomplete ones would, so the operator knows what to add. */
function unmatched(roles: readonly ApmRole[], claims: AttestationClaims): RoleMatch {
  const lacking: Record<string, string> = {};
  for (const role of roles) {
    const lacks = roleLacks(role);
    if (lacks !== undefined && pinnedValuesMatch(role, claims)) lacking[role.name] = lacks;
  }
  return Object.keys(lacking).length > 0 ? { ok: false, reason: 'role_incomplete', lacking } : { ok: false, reason: 'no_matching_role' };
}

/** `enclaveKeyUsable`: the evidence names a key an envelope can be sealed to (recipientPublicKey). */
export function matchRoles(roles: readonly ApmRole[], claims: AttestationClaims, platformAllowsDebug: boolean, enclaveKeyUsable = false): RoleMatch {
  const candidates = roles.filter((r) => roleLacks(r) === undefined && pinnedValuesMatch(r, claims));
  if (candidates.length === 0) return unmatched(roles, claims);
  const debugOk = claims.debug ? candidates.filter((r) => r.allowDebug ?? platformAllowsDebug) : candidates;
  if (debugOk.length === 0) return { ok: false, reason: 'debug_not_allowed' };
  const tcbOk = debugOk.filter((r) => meetsTcbRules(r, claims));
  if (tcbOk.length === 0) return { ok: false, reason: 'tcb_not_accepted' };
  const admitting = enclaveKeyUsable ? tcbOk : tcbOk.filter((r) => r.tokenBoundToEnclaveKey !== true);
  if (admitting.length === 0) return { ok: false, reason: 'enclave_key_missing' };
  return {
    ok: true,
    grant: {
      roles: admitting.map((r) => r.name).sort(),
      policies: [...new Set(admitting.flatMap((r) => r.tokenPolicies))].sort(),
      ttl: strictest(admitting.map((r) => r.tokenTtl)),
      numUses: strictest(admitting.map((r) => r.tokenNumUses)),
      boundToEnclaveKey: admitting.some((r) => r.tokenBoundToEnclaveKey === true),
    },
  };
}
