/**
 * AWS's policy lockout safety check: a new key policy must still let the caller call PutKeyPolicy,
 * unless BypassPolicyLockoutSafetyCheck is set.
 */
import { keyArn } from '../arn.js';
import { kmsError } from '../errors.js';
import { evaluateKeyPolicy, type KeyPolicy } from '../policy/index.js';
import type { Tag } from '../keys/model.js';
import type { KmsServices } from './context.js';
import { resourceTagConditions } from './key-access.js';

export function checkLockout(policy: KeyPolicy, principalArn: string, svc: KmsServices, keyId: string, tags: readonly Tag[]): void {
  const decision = evaluateKeyPolicy(policy, {
    principalArn,
    accountId: svc.location.accountId,
    action: 'kms:PutKeyPolicy',
    resourceArn: keyArn(svc.location, keyId),
    context: { ...resourceTagConditions(tags), 'kms:calleraccount': svc.location.accountId, 'aws:principalarn': principalArn },
  });
  if (decision !== 'allow') {
    throw kmsError('MalformedPolicyDocumentException', 'The new key policy will not allow you to update the key policy in the future.');
  }
}
