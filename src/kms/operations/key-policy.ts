/** GetKeyPolicy, PutKeyPolicy, ListKeyPolicies (a key has one policy, named "default"). */
import { kmsError, validationError } from '../errors.js';
import { parseKeyPolicy } from '../policy/index.js';
import type { KmsCall, OperationHandler } from './context.js';
import { optBool, optString, reqString } from './input.js';
import { authorize, findKey, requireNotPendingDeletion } from './key-access.js';
import { readPage } from './paging.js';
import { checkLockout } from './policy-lockout.js';
import { bindPrincipals, presentedPolicy } from './policy-principals.js';

function policyName(call: KmsCall): string {
  const name = optString(call.body, 'PolicyName') ?? 'default';
  if (name !== 'default') throw kmsError('NotFoundException', `Policy ${name} does not exist; a key's only policy is "default".`);
  return name;
}

export const getKeyPolicy: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  const name = policyName(call);
  authorize(svc, call, key, 'kms:GetKeyPolicy');
  return { Policy: await presentedPolicy(svc, key), PolicyName: name };
};

export const putKeyPolicy: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  policyName(call);
  const text = reqString(call.body, 'Policy');
  if (text.length < 1) throw validationError([{ member: 'policy', value: text, constraint: 'Member must have length greater than or equal to 1' }]);
  // Presented as AWS presents it, the default included, so a policy can forbid the bypass.
  const bypass = optBool(call.body, 'BypassPolicyLockoutSafetyCheck') === true;
  authorize(svc, call, key, 'kms:PutKeyPolicy', { 'kms:bypasspolicylockoutsafetycheck': String(bypass) });
  requireNotPendingDeletion(svc, key);
  const parsed = parseKeyPolicy(text);
  const principalIds = await bindPrincipals(parsed, svc);
  if (!bypass) checkLockout(parsed, call, svc, { ...key, principalIds });
  await svc.keys.update(key.keyId, (cur) => ({ ...cur, policy: text, principalIds }));
  return {};
};

export const listKeyPolicies: OperationHandler = async (call, svc) => {
  const key = await findKey(svc, call, reqString(call.body, 'KeyId'), { aliases: false });
  // One policy: every valid page request gets it whole; a marker could only follow a truncated page.
  const { marker } = readPage(call.body, 100, 1000);
  if (marker !== undefined) throw kmsError('InvalidMarkerException', 'Invalid marker');
  authorize(svc, call, key, 'kms:ListKeyPolicies');
  return { PolicyNames: ['default'], Truncated: false };
};
