/**
 * Key policy principals bound to the users they name. IAM keeps a principal's unique id when a
 * policy is saved, not its name: a user deleted and created again under the same name is a new
 * principal that the old policy does not grant, and a policy naming a user that does not exist is
 * refused. Sealtrail does the same: each key keeps, beside its policy text, the principal id of
 * every user its policy names (`KmsKeyRecord.principalIds`), and evaluation compares those ids.
 *
 * In this account only users exist: a user ARN must name one (whatever its case, as user names
 * are unique whatever their case), and a role, group or session ARN names nothing. The account
 * root, other accounts' principals (which never match a caller here) and token principals
 * (`user/sealtrail-token/tok-…`, whose name is already a unique id) are compared as written.
 */
import { kmsError } from '../errors.js';
import type { KmsKeyRecord } from '../keys/model.js';
import type { KeyPolicy } from '../policy/index.js';
import { getOwn, setOwn } from '../../lib/safe-object.js';
import type { KmsServices } from './context.js';

const ARN_RE = /^arn:aws:(?:iam|sts)::(\d{12}):(.+)$/;
/** The path of the principals of tokens that are no KMS user's (backend.ts `principalOf`). */
const TOKEN_PRINCIPAL_PREFIX = 'user/sealtrail-token/';

function invalidPrincipal(arn: string): Error {
  return kmsError('MalformedPolicyDocumentException', `Policy contains a statement with one or more invalid principals: "${arn.slice(0, 200)}" names no user of this account.`);
}

/**
 * The principal ids of the users `policy` names. `strict` (a policy being written) refuses a
 * principal that names no one; otherwise (a key stored before it had bindings) such a principal is
 * bound to nobody (`''`) and never matches.
 */
export async function bindPrincipals(policy: KeyPolicy, svc: Pick<KmsServices, 'users' | 'location'>, strict = true): Promise<Record<string, string>> {
  const bindings: Record<string, string> = {};
  for (const s of policy.statements) {
    if (s.principals === '*') continue;
    for (const arn of s.principals) {
      if (getOwn(bindings, arn) !== undefined) continue;
      const m = ARN_RE.exec(arn);
      if (!m || m[1] !== svc.location.accountId) continue;
      const resource = m[2];
      if (resource === 'root' || resource.startsWith(TOKEN_PRINCIPAL_PREFIX)) continue;
      const user = resource.startsWith('user/') && arn.startsWith('arn:aws:iam::') ? await svc.users.find(resource.slice('user/'.length)) : undefined;
      if (!user && strict) throw invalidPrincipal(arn);
      setOwn(bindings, arn, user?.principalId ?? '');
    }
  }
  return bindings;
}

/**
 * A key's bindings, made once for a key stored without them: bound to the users its policy names
 * at its first use, and kept.
 */
export async function withBoundPrincipals(svc: KmsServices, key: KmsKeyRecord, policy: KeyPolicy): Promise<KmsKeyRecord> {
  if (key.principalIds !== undefined) return key;
  const principalIds = await bindPrincipals(policy, svc, false);
  return (await svc.keys.update(key.keyId, (cur) => (cur.principalIds !== undefined ? cur : { ...cur, principalIds }))) ?? { ...key, principalIds };
}

/**
 * The policy text GetKeyPolicy shows: as written, except that a principal whose user has since
 * been deleted (or replaced by a new user of the same name) shows as the principal id it was bound
 * to, as IAM shows it: the policy grants that id, which no user has now.
 */
export async function presentedPolicy(svc: KmsServices, key: KmsKeyRecord): Promise<string> {
  const bindings = key.principalIds;
  if (bindings === undefined) return key.policy;
  const stale = new Map<string, string>();
  for (const [arn, id] of Object.entries(bindings)) {
    if (id === '') continue;
    const user = await svc.users.find(arn.slice(arn.indexOf(':user/') + ':user/'.length));
    if (user?.principalId !== id) stale.set(arn, id);
  }
  if (stale.size === 0) return key.policy;
  const doc = JSON.parse(key.policy) as { Statement: unknown };
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  for (const s of statements as Array<{ Principal?: unknown }>) {
    const principal = s.Principal as { AWS?: unknown } | undefined;
    if (typeof principal !== 'object' || principal === null || principal.AWS === undefined) continue;
    const shown = (p: unknown) => (typeof p === 'string' ? stale.get(p) ?? p : p);
    principal.AWS = Array.isArray(principal.AWS) ? principal.AWS.map(shown) : shown(principal.AWS);
  }
  return JSON.stringify(doc, null, 2);
}
