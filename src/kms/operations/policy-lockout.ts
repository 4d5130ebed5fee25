/**
 * AWS's policy lockout safety check: a new key policy must still let the caller call PutKeyPolicy,
 * unless BypassPolicyLockoutSafetyCheck is set. The later call is judged as the caller would make
 * it, with the same condition keys as this one and without a bypass.
 */
import { kmsError } from '../errors.js';
import type { KeyPolicy } from '../policy/index.js';
import type { KmsCall, KmsServices } from './context.js';
import { decideKeyPolicy, type PolicyKey } from './key-access.js';

export function checkLockout(policy: KeyPolicy, call: KmsCall, svc: KmsServices, key: PolicyKey): void {
  const decision = decideKeyPolicy(svc, call, policy, key, 'kms:PutKeyPolicy', { 'kms:bypasspolicylockoutsafetycheck': 'false' });
  if (decision !== 'allow') {
    throw kmsError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
  }
}
