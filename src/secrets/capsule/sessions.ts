/**
 * "Domain authentication" control records: a login whose token may act on this domain starts a
 * session of it, recorded with the session id the token's access records will carry.
 *
 * A token acts on the domain when its policies grant any capability (other than deny) on one of
 * the domain's operation paths below; a login that cannot touch the domain is not its session.
 * Fields as the seed's control log shows them: subject (the token's display name), the policy
 * names as capability_names, issuer (the auth mount), expiry (null: never) and not_before.
 */
import type { SessionStart } from '../../core/index.js';
import { rfc3339 } from '../../lib/time.js';
import type { CapsuleEngine } from './engine.js';

export const SESSION_SUMMARY = 'Domain authentication';

/** The mount-relative paths that make a token a session of the domain. */
export const DOMAIN_PATHS: readonly string[] = [
  'encapsulate', 'load', 'log/access', 'log/control', 'keys', 'keys/rotate', 'write-context/', 'read-context/',
];

export async function recordSessionStart(engine: CapsuleEngine, event: SessionStart): Promise<void> {
  if (!DOMAIN_PATHS.some((p) => event.may(p))) return;
  await engine.ready();
  const { token } = event;
  await engine.logs.appendControl({
    session: engine.logs.sessionId(token.accessor),
    url: event.url,
    summary: SESSION_SUMMARY,
    description: {
      method: event.method,
      subject: token.displayName,
      ...(token.entityId ? { entity_id: token.entityId } : {}),
      capability_names: token.policies.join(','),
      issuer: event.issuer,
      expiry: token.expireTime > 0 ? rfc3339(token.expireTime) : null,
      not_before: rfc3339(token.creationTime),
    },
  }, { requestId: event.requestId });
}
