/**
 * Parsed key policies by their exact text. Every Encrypt/Decrypt evaluates its key's policy, and a
 * key's policy text changes only through PutKeyPolicy: parsing is a pure function of the text, so
 * the same text always yields the same (deeply frozen) policy. A text that does not parse is not
 * kept: its error is thrown again on every call. Bounded: a text it forgot is parsed again.
 */
import { deepFreeze } from '../../lib/immutable.js';
import { LruMap } from '../../lib/lru.js';
import type { KeyPolicy } from './model.js';
import { parseKeyPolicy } from './parse.js';

/** Distinct policy texts kept (each at most MAX_POLICY_BYTES, 32 KiB; usually under 1 KiB). */
export const POLICY_CACHE_ENTRIES = 1024;

export function createPolicyCache(maxEntries = POLICY_CACHE_ENTRIES): (text: string) => KeyPolicy {
  const parsed = new LruMap<string, KeyPolicy>(maxEntries);
  return (text) => {
    const hit = parsed.get(text);
    if (hit) return hit;
    const policy = deepFreeze(parseKeyPolicy(text));
    parsed.set(text, policy);
    return policy;
  };
}
