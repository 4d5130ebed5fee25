/**
 * Session starts: a login's new token, or one auth/token/create made, is announced to every
 * secrets engine that asks (`Backend.onSessionStart`) before the client has it, with a way to tell what the token may do
 * on that mount, so an engine with its own control log records the session it will see. Fail-
 * closed: if an engine cannot record it, the token is revoked and the login fails.
 */
import type { CoreServices } from './services.js';
import type { LogicalRequest, MountEntry, TokenEntry } from './contract/types.js';

/** Vault's method for an operation, for requests that did not come over HTTP. */
const METHOD_OF_OPERATION: Record<string, string> = { read: 'GET', list: 'LIST', delete: 'DELETE', patch: 'PATCH' };

export function httpMethodOf(req: LogicalRequest): string {
  return req.method ?? METHOD_OF_OPERATION[req.operation] ?? 'POST';
}

export async function announceSession(token: TokenEntry, issuer: MountEntry, req: LogicalRequest, services: CoreServices): Promise<void> {
  const listeners = services.mounts.list('secret')
    .map((m) => services.mounts.get('secret', m.path))
    .filter((m) => m?.backend.onSessionStart !== undefined);
  if (listeners.length === 0) return;
  const acl = await services.policies.acl(token.policies);
  try {
    for (const mounted of listeners) {
      await mounted!.backend.onSessionStart!({
        token, issuer: issuer.path, url: `/v1/${req.path}`, method: httpMethodOf(req), requestId: req.id,
        may: (path) => acl.capabilities(mounted!.prefix + path).some((c) => c !== 'deny'),
      });
    }
  } catch (err) {
    // The client never sees this token: it must not outlive the failed login.
    await services.tokens.revokeOrphan(token).catch(() => undefined);
    throw err;
  }
}
