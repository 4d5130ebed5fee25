/**
 * sys/ paths for ACL policies and capability queries, answered as Vault answers them:
 *
 *   LIST   policies/acl               → { keys }            (stored names, then "root")
 *   GET    policies/acl/<name>        → { name, policy }
 *   PUT    policies/acl/<name>        { policy }            (plain or base64 HCL/JSON) → 204
 *   DELETE policies/acl/<name>                               → 204
 *   GET    policy                     → { policies, keys }  (legacy)
 *   GET    policy/<name>              → { name, rules }     (legacy; write takes policy, or rules with a warning)
 *   POST   capabilities-self          { path | paths }      → { "<path>": [...], capabilities }
 *   POST   capabilities               { token, path | paths }
 *   POST   capabilities-accessor      { accessor, path | paths }
 */
import type { PathRequest, PathSpec, LogicalResponse, TokenEntry } from '../core/index.js';
import { invalid, notFound, permissionDenied } from '../errors/index.js';
import { normalizePolicyName, stringField, stringListField, type PolicyStore, type TokenStore } from '../auth/index.js';
import type { Mounts } from '../core/index.js';
import { changePolicy } from './policy-changes.js';
import { setOwn } from '../lib/safe-object.js';

export interface PolicyPathDeps {
  policies: PolicyStore;
  tokens: TokenStore;
  /** The mounts told of each change (engines that keep their own control log). */
  mounts: () => Mounts;
}

const BASE64_RE = /^[A-Za-z0-9+/]+={0,2}$/;
const RULES_DEPRECATED = "'rules' is deprecated, please use 'policy' instead";

/** Vault accepts the policy base64-encoded (to avoid escaping) and decodes it when it can. */
function decodePolicy(raw: string): string {
  const compact = raw.replace(/[\r\n]/g, '');
  return compact.length % 4 === 0 && BASE64_RE.test(compact) ? Buffer.from(compact, 'base64').toString('utf8') : raw;
}

/** The policy text of a write; the legacy sys/policy/<name> also takes `rules`, with Vault's warning. */
function policyText(req: PathRequest, legacy: boolean): { text: string; warnings?: string[] } {
  const policy = stringField(req.data, 'policy');
  if (policy !== '') return { text: decodePolicy(policy) };
  const rules = legacy ? stringField(req.data, 'rules') : '';
  if (rules === '') throw invalid("'policy' parameter not supplied or empty", 'invalid_policy');
  return { text: decodePolicy(rules), warnings: [RULES_DEPRECATED] };
}

/**
 * The paths one capabilities request asks about: at most a list field's 1,000 (MAX_LIST_ITEMS).
 * Each costs a walk of the token's ACL and a key in the answer's audit entries; a UI asks about a
 * handful, and 100,000 would hold the event loop for seconds.
 */
function requestedPaths(req: PathRequest): string[] {
  const paths = stringListField(req.data, 'paths');
  const list = paths.length > 0 ? paths : stringListField(req.data, 'path');
  if (list.length === 0) throw invalid('paths must be supplied', 'missing_path');
  return list;
}

export function policyPaths(deps: PolicyPathDeps): PathSpec[] {
  const { policies, tokens } = deps;

  /**
   * A policy is stored under its name lower-cased and trimmed, which the request path may spell
   * otherwise (`Admin`, `admin%20`). The ACL judged the path as sent, so the token must also be
   * allowed the operation on the path of the stored name: else a `deny` on `sys/policies/acl/admin`
   * would not stop a write to `sys/policies/acl/Admin`, which replaces `admin`.
   */
  async function checkStoredName(req: PathRequest): Promise<void> {
    const name = req.params.name;
    const stored = normalizePolicyName(name);
    if (stored === name || stored === '' || !req.token) return;
    const path = req.logical.path.slice(0, req.logical.path.length - name.length) + stored;
    const acl = await policies.acl(req.token.policies);
    if (!acl.check(path, req.operation, { data: req.data, wrapTtl: req.logical.wrapTtl }).allowed) throw permissionDenied();
  }

  async function listNames(): Promise<string[]> {
    // Vault lists the stored policies, then the built-in root.
    return [...(await policies.list()).filter((n) => n !== 'root'), 'root'];
  }

  async function readPolicy(req: PathRequest, textKey: 'policy' | 'rules'): Promise<LogicalResponse> {
    await checkStoredName(req);
    const found = await policies.get(req.params.name);
    if (!found) throw notFound();
    return { data: { name: found.name, [textKey]: found.policy } };
  }

  const changed = async (req: PathRequest, change: () => Promise<void>) => {
    await checkStoredName(req);
    await changePolicy(req.params.name, req.logical, req.token?.accessor ?? null, deps, change);
  };

  const write = (legacy: boolean) => async (req: PathRequest): Promise<LogicalResponse | undefined> => {
    const { text, warnings } = policyText(req, legacy);
    await changed(req, () => policies.put(req.params.name, text));
    return warnings ? { warnings } : undefined;
  };

  const remove = async (req: PathRequest): Promise<undefined> => {
    await changed(req, () => policies.delete(req.params.name));
    return undefined;
  };

  async function capabilitiesOf(entry: TokenEntry, req: PathRequest): Promise<LogicalResponse> {
    const paths = requestedPaths(req);
    const data: Record<string, unknown> = {};
    const isRoot = entry.policies.includes('root');
    const acl = await policies.acl(entry.policies);
    for (const path of paths) setOwn(data, path, isRoot ? ['root'] : acl.capabilities(path));
    // Vault keeps the single-path `capabilities` key for older clients.
    if (paths.length === 1) data.capabilities = data[paths[0]];
    return { data };
  }

  const legacyList = async (): Promise<LogicalResponse> => {
    const keys = await listNames();
    return { data: { keys, policies: keys } };
  };

  return [
    { pattern: 'policies/acl/?', handlers: { list: async () => ({ data: { keys: await listNames() } }) } },
    {
      pattern: 'policies/acl/(?<name>.+)',
      handlers: { read: (req) => readPolicy(req, 'policy'), update: write(false), delete: remove },
    },
    { pattern: 'policy/?', handlers: { read: legacyList, list: legacyList } },
    {
      pattern: 'policy/(?<name>.+)',
      handlers: { read: (req) => readPolicy(req, 'rules'), update: write(true), delete: remove },
    },
    {
      pattern: 'capabilities-self',
      handlers: {
        update: async (req) => {
          if (!req.token) throw invalid('missing client token', 'missing_token');
          return capabilitiesOf(req.token, req);
        },
      },
    },
    {
      pattern: 'capabilities',
      handlers: {
        update: async (req) => {
          const id = stringField(req.data, 'token');
          const entry = id === '' ? undefined : await tokens.lookup(id);
          if (!entry) throw invalid('invalid token', 'token_not_found');
          return capabilitiesOf(entry, req);
        },
      },
    },
    {
      pattern: 'capabilities-accessor',
      handlers: {
        update: async (req) => {
          const accessor = stringField(req.data, 'accessor');
          if (accessor === '') throw invalid('missing accessor', 'missing_accessor');
          const entry = await tokens.lookupByAccessor(accessor);
          if (!entry) throw invalid('invalid accessor', 'invalid_accessor');
          return capabilitiesOf(entry, req);
        },
      },
    },
  ];
}
