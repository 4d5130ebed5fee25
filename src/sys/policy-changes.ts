/**
 * ACL policy changes, announced to every secrets engine that asks (`Backend.onPolicyChange`) with
 * what the policy granted on its mount before and after, so an engine with its own control log
 * records the changes to who may act on it. Announced once the change is stored: a refusal to
 * record it fails the request (500), and the request's audit entries still show the change.
 */
import { normalizePolicyName, type Acl, type PolicyStore } from '../auth/index.js';
import { httpMethodOf, type LogicalRequest, type Mounts, type PolicyChange } from '../core/index.js';

const grants = (acl: Acl | undefined, path: string) => acl !== undefined && acl.capabilities(path).some((c) => c !== 'deny');

/** Runs `change` (a put or delete of policy `name`) and announces it to the engines that ask. */
export async function changePolicy(
  name: string, req: LogicalRequest, session: string | null, deps: { policies: PolicyStore; mounts: () => Mounts }, change: () => Promise<void>,
): Promise<void> {
  const existed = (await deps.policies.get(name)) !== undefined;
  const before = existed ? await deps.policies.acl([name]) : undefined;
  await change();
  const after = (await deps.policies.get(name)) !== undefined ? await deps.policies.acl([name]) : undefined;
  const mounts = deps.mounts();
  for (const entry of mounts.list('secret')) {
    const mounted = mounts.get('secret', entry.path);
    if (!mounted?.backend.onPolicyChange) continue;
    const event: PolicyChange = {
      name: normalizePolicyName(name), change: after === undefined ? 'deleted' : existed ? 'updated' : 'created', session, url: `/v1/${req.path}`, method: httpMethodOf(req),
      mayBefore: (path) => grants(before, mounted.prefix + path),
      mayAfter: (path) => grants(after, mounted.prefix + path),
    };
    await mounted.backend.onPolicyChange(event);
  }
}
