/**
 * Vault's `request.client_id` (TokenEntry.CreateClientID): the token's entity id, or for a token
 * without an entity the standard base64 of SHA-256 over its policy names sorted in byte order, each
 * preceded by U+007F, then U+0000 and the namespace id (`root`), with the first character dropped:
 * policies `["a","b"]` hash `a\x7fb\x00root`, no policies hash `root`.
 */
import { createHash } from 'node:crypto';
import { isDeepFrozen } from '../lib/immutable.js';
import type { TokenEntry } from '../core/index.js';
import { compareUtf8 } from './format-json.js';

const POLICY_DELIMITER = '\x7f';
const NAMESPACE_DELIMITER = '\x00';
const ROOT_NAMESPACE_ID = 'root';

/** Per cached (frozen) token entry: its id is the same on every request. */
const known = new WeakMap<object, string>();

export function clientIdFor(policies: readonly string[], namespaceId = ROOT_NAMESPACE_ID): string {
  let input = '';
  for (const name of [...policies].sort(compareUtf8)) input += POLICY_DELIMITER + name;
  input = (input + NAMESPACE_DELIMITER + namespaceId).slice(1);
  return createHash('sha256').update(input, 'utf8').digest('base64');
}

export function clientIdOf(token: Pick<TokenEntry, 'entityId' | 'policies'>): string {
  if (token.entityId) return token.entityId;
  const frozen = isDeepFrozen(token);
  let id = frozen ? known.get(token) : undefined;
  if (id === undefined) {
    id = clientIdFor(token.policies);
    if (frozen) known.set(token, id);
  }
  return id;
}
