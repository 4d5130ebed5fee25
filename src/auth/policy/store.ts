/**
 * Policy storage: the text of each policy under `acl/<name>` (name URI-encoded so that a `/` in a
 * name cannot escape the prefix), next to its parsed rules so an unseal never re-parses HCL.
 * Compiled ACLs are cached per sorted set of policy names and dropped on any put or delete.
 */
import { RESPONSE_WRAPPING_POLICY_NAME } from '../../core/index.js';
import { invalid } from '../../errors/index.js';
import { LruMap } from '../../lib/lru.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import { compileAcl, rootAcl, type NamedPolicy } from './acl.js';
import { DEFAULT_POLICY_NAME } from './default-policy.js';
import { parsePolicy, type ParsedPolicy } from './parse.js';
import type { Acl, PolicyStore } from './types.js';

export const ROOT_POLICY_NAME = 'root';
/** `cubbyhole/response`: Vault's deprecated unwrap, a read of the token's own cubbyhole (secrets/cubbyhole). */
const RESPONSE_WRAPPING_POLICY_TEXT = 'path "sys/wrapping/unwrap" {\n  capabilities = ["update"]\n}\npath "sys/wrapping/lookup" {\n  capabilities = ["update"]\n}\npath "cubbyhole/response" {\n  capabilities = ["read"]\n}\n';
let responseWrappingParsed: Promise<ParsedPolicy> | undefined;
/** Parsed once; a refusal (the parser's worker failed or overran) is not kept, the next call parses again. */
const responseWrappingPolicy = () => (responseWrappingParsed ??= parsePolicy(RESPONSE_WRAPPING_POLICY_TEXT).catch((err: unknown) => {
  responseWrappingParsed = undefined;
  throw err;
}));
const BUILT_IN = new Set([ROOT_POLICY_NAME, RESPONSE_WRAPPING_POLICY_NAME]);

interface StoredPolicy {
  name: string;
  policy: string;
  parsed: ParsedPolicy;
}

/** Compiled ACLs kept, one per distinct set of policy names in use. */
const ACL_CACHE_LIMIT = 1000;
/** Parsed policies kept, including names known not to exist (a token may name a missing policy). */
const PARSED_CACHE_LIMIT = 4096;

/** Vault's normalisation: names are trimmed and lower-cased. */
export function normalizePolicyName(name: string): string {
  return typeof name === 'string' ? name.trim().toLowerCase() : '';
}

const keyOf = (name: string) => `acl/${encodeURIComponent(name)}`;

export function createPolicyStore(opts: { storage: Storage }): PolicyStore {
  const { storage } = opts;
  /** name → parsed rules, or null for "known not to exist". */
  const parsedCache = new LruMap<string, ParsedPolicy | null>(PARSED_CACHE_LIMIT);
  const aclCache = new LruMap<string, Promise<Acl>>(ACL_CACHE_LIMIT);
  /**
   * The same ACLs by policy-list identity, for frozen lists (a cached token's): no normalising,
   * sorting and joining of names on every request. Replaced whenever aclCache is cleared.
   */
  let aclByList = new WeakMap<readonly string[], Promise<Acl>>();
  /** Bumped on every change, so a read that raced a write never caches what it saw. */
  let generation = 0;

  async function load(name: string): Promise<StoredPolicy | undefined> {
    return getJson<StoredPolicy>(storage, keyOf(name));
  }

  async function parsedRules(name: string): Promise<ParsedPolicy | null> {
    const cached = parsedCache.get(name);
    if (cached !== undefined) return cached;
    const seen = generation;
    const stored = await load(name);
    const parsed = stored ? stored.parsed : null;
    if (seen === generation) parsedCache.set(name, parsed);
    return parsed;
  }

  async function buildAcl(names: string[]): Promise<Acl> {
    if (names.includes(ROOT_POLICY_NAME)) return rootAcl;
    const parsed = await Promise.all(names.map((n) => (n === RESPONSE_WRAPPING_POLICY_NAME ? responseWrappingPolicy() : parsedRules(n))));
    const named: NamedPolicy[] = [];
    parsed.forEach((p, i) => { if (p !== null) named.push({ ...p, name: names[i] }); });
    return compileAcl(named);
  }

  function invalidate(name: string): void {
    generation++;
    parsedCache.delete(name);
    aclCache.clear();
    aclByList = new WeakMap();
  }

  return {
    acl(policyNames) {
      const frozenList = Object.isFrozen(policyNames);
      if (frozenList) {
        const known = aclByList.get(policyNames);
        if (known) return known;
      }
      const names = [...new Set(policyNames.map(normalizePolicyName))].filter((n) => n !== '').sort();
      const key = names.join('\n');
      let acl = aclCache.get(key);
      if (!acl) {
        const seen = generation;
        acl = buildAcl(names);
        // Cached as a promise so concurrent requests share one build; a failed build is not kept.
        aclCache.set(key, acl);
        acl.then(
          (built) => { if (seen !== generation && aclCache.get(key) === acl) aclCache.delete(key); return built; },
          () => { if (aclCache.get(key) === acl) aclCache.delete(key); },
        );
      }
      if (frozenList) {
        const byList = aclByList;
        const seen = generation;
        byList.set(policyNames, acl);
        // A build that failed, or raced a policy change, is answered once and never remembered.
        const forget = () => { if (byList.get(policyNames) === acl) byList.delete(policyNames); };
        acl.then((built) => { if (seen !== generation) forget(); return built; }, forget);
      }
      return acl;
    },

    async get(rawName) {
      const name = normalizePolicyName(rawName);
      // Vault answers for root without storing it.
      if (name === ROOT_POLICY_NAME) return { name, policy: '' };
      if (name === RESPONSE_WRAPPING_POLICY_NAME) return { name, policy: RESPONSE_WRAPPING_POLICY_TEXT };
      if (name === '') return undefined;
      const stored = await load(name);
      return stored ? { name: stored.name, policy: stored.policy } : undefined;
    },

    async put(rawName, policyText) {
      const name = normalizePolicyName(rawName);
      if (name === '') throw invalid('missing policy name', 'invalid_policy_name');
      if (BUILT_IN.has(name)) throw invalid(`cannot update ${name} policy`, 'root_policy_immutable');
      if (typeof policyText !== 'string' || policyText.trim() === '') {
        throw invalid("'policy' parameter not supplied or empty", 'invalid_policy');
      }
      const parsed = await parsePolicy(policyText);
      await putJson(storage, keyOf(name), { name, policy: policyText, parsed } satisfies StoredPolicy);
      invalidate(name);
    },

    async delete(rawName) {
      const name = normalizePolicyName(rawName);
      if (BUILT_IN.has(name)) throw invalid(`cannot delete ${name} policy`, 'root_policy_immutable');
      if (name === DEFAULT_POLICY_NAME) throw invalid('cannot delete default policy', 'default_policy_undeletable');
      if (name === '') throw invalid('missing policy name', 'invalid_policy_name');
      await storage.delete(keyOf(name));
      invalidate(name);
    },

    async list() {
      const keys = await storage.list('acl/');
      return keys.filter((k) => !k.endsWith('/')).map(decodeURIComponent).sort();
    },

    clearCache() {
      generation++;
      parsedCache.clear();
      aclCache.clear();
      aclByList = new WeakMap();
    },
  };
}
