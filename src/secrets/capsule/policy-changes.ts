/**
 * Control records for ACL policy changes that alter who may act on this domain: a policy that
 * granted, or now grants, anything on one of the domain's operation paths (sessions.ts). The
 * record names the policy and the domain paths it grants after the change (none once deleted).
 */
import type { PolicyChange } from '../../core/index.js';
import type { CapsuleEngine } from './engine.js';
import { DOMAIN_PATHS } from './sessions.js';

const SUMMARY = { created: 'Created policy', updated: 'Updated policy', deleted: 'Deleted policy' } as const;

export async function recordPolicyChange(engine: CapsuleEngine, event: PolicyChange): Promise<void> {
  if (!DOMAIN_PATHS.some((p) => event.mayBefore(p) || event.mayAfter(p))) return;
  await engine.ready();
  await engine.logs.appendControl({
    session: event.session ? engine.logs.sessionId(event.session) : null,
    url: event.url,
    summary: `${SUMMARY[event.change]} ${event.name}`,
    description: { method: event.method, policy: event.name, granted_paths: DOMAIN_PATHS.filter((p) => event.mayAfter(p)) },
  });
}
