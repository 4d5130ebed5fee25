/**
 * Renewing an attestation login's token (Backend.authorizeRenewal). A renewal brings no new
 * evidence, so it rests on the login's: the roles that admitted the enclave (the token's `role`
 * metadata) must all still exist, still name its signer and enclave, and together still grant
 * every policy the token holds — as Vault's AppRole refuses to renew once its role is gone or
 * its policies changed. What the login knew of the evidence and kept in the token's metadata is
 * asked again too: a debug-mode enclave's token renews only while its roles still allow debug,
 * and a token answered in clear only while none of its roles now binds the token to the enclave's
 * key. Deleting or narrowing a role thus ends its tokens at their current expiry; revoking them
 * ends them at once. A role stored before its platform's rules, which no longer admits anything
 * (match.ts), renews nothing either.
 */
import type { RenewalGrant, TokenEntry } from '../../core/index.js';
import { isPlatformName } from '../../attestation/index.js';
import { roleLacks, strictest } from './match.js';
import { invalid } from '../../errors/index.js';
import type { ConfigStore } from './config.js';
import type { ApmRole, RoleStore } from './roles.js';

const stillAdmits = (role: ApmRole | undefined, meta: Readonly<Record<string, string>>, platformAllowsDebug: boolean): role is ApmRole =>
  role !== undefined
  && roleLacks(role) === undefined
  && (role.signerId === undefined || role.signerId === meta.signer_id)
  && (role.enclaveId === undefined || role.enclaveId === meta.enclave_id)
  && (meta.debug !== 'true' || (role.allowDebug ?? platformAllowsDebug))
  && (role.tokenBoundToEnclaveKey !== true || meta.bound_to_enclave_key === 'true');

async function platformAllowsDebug(config: ConfigStore, platform: string | undefined): Promise<boolean> {
  return platform !== undefined && isPlatformName(platform) && (await config.platform(platform)).allowDebug;
}

export async function authorizeRenewal(roles: RoleStore, config: ConfigStore, token: TokenEntry): Promise<RenewalGrant> {
  const names = (token.meta.role ?? '').split(',').filter((n) => n !== '');
  const current = await Promise.all(names.map((n) => roles.get(n)));
  const debugAllowed = await platformAllowsDebug(config, token.meta.platform);
  const admitting = current.filter((r) => stillAdmits(r, token.meta, debugAllowed));
  const granted = new Set(['default', ...admitting.flatMap((r) => r.tokenPolicies)]);
  if (names.length === 0 || admitting.length < names.length || !token.policies.every((p) => granted.has(p))) {
    throw invalid('the roles that admitted this token no longer grant it: log in again', 'renewal_refused');
  }
  // The TTL a login under these roles would get now: a role shortened since limits its tokens at
  // their next renewal.
  return { ttl: strictest(admitting.map((r) => r.tokenTtl)) };
}
