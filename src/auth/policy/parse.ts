/**
 * Parses a Vault ACL policy written in HCL or JSON into rules. Only the shape is decided here;
 * matching lives in acl.ts.
 *
 * ```hcl
 * path "secret/data/app/*" { capabilities = ["read", "list"] }
 * ```
 * parses to `{ paths: [{ path: "secret/data/app/*", capabilities: ["read", "list"] }] }`.
 */
import { invalid, type SealtrailError } from '../../errors/index.js';
import { HclParseError, parseHcl } from '../../lib/hcl-parser.js';
import { duplicateJsonKey } from '../../lib/json-duplicate-key.js';
import { jsonSyntaxFault } from '../../lib/json-fault.js';
import { getOwn } from '../../lib/safe-object.js';
import { parseDurationSeconds } from '../../lib/time.js';
import { isCapability } from './capabilities.js';
import { MAX_POLICY_BYTES, MAX_POLICY_NESTING, nestingOf } from './policy-bounds.js';
import type { Capability } from './types.js';

export interface PathRule {
  /** The path as written, leading `/` removed; may end in `*` and contain `+` segments. */
  path: string;
  capabilities: Capability[];
  /** Parameter constraints and wrapping TTL bounds, enforced by the ACL (parameters.ts). */
  allowedParameters?: Record<string, unknown[]>;
  deniedParameters?: Record<string, unknown[]>;
  requiredParameters?: string[];
  minWrappingTtl?: number;
  maxWrappingTtl?: number;
}

export interface ParsedPolicy {
  paths: PathRule[];
}

const TOP_LEVEL_KEYS = new Set(['name', 'path']);
const PATH_KEYS = new Set([
  'comment', 'policy', 'capabilities', 'allowed_parameters', 'denied_parameters', 'required_parameters',
  'min_wrapping_ttl', 'max_wrapping_ttl', 'mfa_methods', 'control_group', 'subscribe_event_types',
]);

/**
 * Keys Vault accepts whose condition this ACL cannot check (control-group approvals, step-up MFA:
 * Vault Enterprise's). Loaded as plain rules they would grant without the approval or the MFA the
 * author required, so a policy that sets one is refused.
 */
const UNENFORCEABLE_KEYS = ['control_group', 'mfa_methods'];

/** Vault's pre-0.5 `policy = "..."` shorthand, expanded to capabilities. */
const OLD_POLICIES: Record<string, Capability[]> = {
  deny: ['deny'],
  read: ['read', 'list'],
  write: ['create', 'read', 'update', 'delete', 'list'],
  sudo: ['create', 'read', 'update', 'delete', 'list', 'sudo'],
};

const policyError = (message: string): SealtrailError => invalid(`failed to parse policy: ${message}`, 'invalid_policy');

/** Parses HCL or JSON policy text; throws SealtrailError 'invalid' / 'invalid_policy' on any fault. */
export async function parsePolicy(text: string): Promise<ParsedPolicy> {
  if (typeof text !== 'string') throw policyError('policy must be a string');
  const json = text.trimStart().startsWith('{');
  // Bounded before any parser reads it (policy-bounds.ts).
  if (Buffer.byteLength(text, 'utf8') > MAX_POLICY_BYTES) throw policyError(`the policy is larger than ${MAX_POLICY_BYTES} bytes`);
  if (nestingOf(text, json) > MAX_POLICY_NESTING) throw policyError(`the policy nests deeper than ${MAX_POLICY_NESTING} levels`);
  // Vault's policy language has no templates; HCL's would nest expressions inside strings.
  if (!json && /[$%]\{/.test(text)) throw policyError('HCL templates (${…}, %{…}) are not supported in policies');
  const doc = json ? parseJsonText(text) : await parseHclText(text);
  return fromDocument(doc);
}

function parseJsonText(text: string): unknown {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the fault.
    throw policyError(`invalid JSON: ${jsonSyntaxFault(text)}`);
  }
  // JSON.parse keeps the last of repeated keys: a second "path" (or the same path twice) would
  // drop the first rule — a deny the stored text still shows. Vault's HCL parser keeps both.
  const repeated = duplicateJsonKey(text);
  if (repeated !== undefined) throw policyError(`invalid JSON: the key ${JSON.stringify(repeated.slice(0, 100))} appears twice in one object; write each path once, with all its rules`);
  return doc;
}

/** How long the HCL parser (its own thread, hcl-parser.ts) may take over one policy. */
const POLICY_PARSE_TIMEOUT_MS = 5000;

async function parseHclText(text: string): Promise<unknown> {
  try {
    return await parseHcl('policy.hcl', text, { timeoutMs: POLICY_PARSE_TIMEOUT_MS });
  } catch (err) {
    if (err instanceof HclParseError && err.reason === 'timeout') throw policyError('the policy could not be parsed in time');
    if (err instanceof HclParseError && err.reason === 'failed') throw policyError('the policy could not be parsed');
    const message = err instanceof Error ? err.message : String(err);
    // hcl2json wraps the diagnostics: "parse config: [policy.hcl:1,28-28: Missing expression; ...]".
    throw policyError(message.replace(/^parse config: \[([\s\S]*)\]$/, '$1'));
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fromDocument(doc: unknown): ParsedPolicy {
  if (!isRecord(doc)) throw policyError('the policy must be an object');
  for (const key of Object.keys(doc)) {
    if (!TOP_LEVEL_KEYS.has(key)) throw policyError(`invalid key "${key}"`);
  }
  const paths: PathRule[] = [];
  if (doc.path === undefined) return { paths };
  // HCL blocks come as lists (a path may be declared twice); JSON usually as a single object.
  const blocksByPath = Array.isArray(doc.path) ? doc.path : [doc.path];
  for (const group of blocksByPath) {
    if (!isRecord(group)) throw policyError('"path" must map paths to blocks');
    for (const [rawPath, body] of Object.entries(group)) {
      for (const block of Array.isArray(body) ? body : [body]) paths.push(parsePathBlock(rawPath, block));
    }
  }
  return { paths };
}

function parsePathBlock(rawPath: string, block: unknown): PathRule {
  // As Vault (strings.TrimPrefix): one leading slash; `//secret/x` names no path a request can have.
  const path = rawPath.replace(/^\//, '');
  if (!isRecord(block)) throw policyError(`path "${rawPath}": the rule must be a block`);
  for (const key of Object.keys(block)) {
    if (!PATH_KEYS.has(key)) throw policyError(`path "${rawPath}": invalid key "${key}"`);
    if (UNENFORCEABLE_KEYS.includes(key)) throw policyError(`path "${rawPath}": ${key} is not supported`);
  }
  // Vault fills `{{identity.…}}` in with the caller's identity; read literally, every holder of the
  // policy would share the one path the template was meant to give each its own.
  if (rawPath.includes('{{')) throw policyError(`path "${rawPath}": templated policies are not supported`);
  if (path.includes('+*')) throw policyError(`path "${path}": invalid use of wildcards ('+*' is forbidden)`);
  const caps = new Set<Capability>();
  if (block.policy !== undefined) {
    const expanded = typeof block.policy === 'string' ? getOwn(OLD_POLICIES, block.policy) : undefined;
    if (!expanded) throw policyError(`path "${rawPath}": invalid policy "${String(block.policy)}"`);
    expanded.forEach((c) => caps.add(c));
  }
  if (block.capabilities !== undefined) {
    if (!Array.isArray(block.capabilities)) throw policyError(`path "${rawPath}": capabilities must be a list`);
    for (const c of block.capabilities) {
      if (!isCapability(c)) throw policyError(`path "${rawPath}": invalid capability "${String(c)}"`);
      caps.add(c);
    }
  }
  // Vault: deny excludes every other capability on the rule.
  const capabilities = caps.has('deny') ? (['deny'] as Capability[]) : [...caps].sort();
  const rule: PathRule = { path, capabilities };
  const allowed = parameterMap(rawPath, 'allowed_parameters', block.allowed_parameters);
  const denied = parameterMap(rawPath, 'denied_parameters', block.denied_parameters);
  if (allowed) rule.allowedParameters = allowed;
  if (denied) rule.deniedParameters = denied;
  if (block.required_parameters !== undefined) {
    const req = block.required_parameters;
    if (!Array.isArray(req) || !req.every((p) => typeof p === 'string')) {
      throw policyError(`path "${rawPath}": required_parameters must be a list of strings`);
    }
    rule.requiredParameters = req as string[];
  }
  const minTtl = wrappingTtl(rawPath, 'min_wrapping_ttl', block.min_wrapping_ttl);
  const maxTtl = wrappingTtl(rawPath, 'max_wrapping_ttl', block.max_wrapping_ttl);
  if (minTtl !== undefined) rule.minWrappingTtl = minTtl;
  if (maxTtl !== undefined) rule.maxWrappingTtl = maxTtl;
  if (minTtl !== undefined && maxTtl !== undefined && maxTtl < minTtl) {
    throw policyError(`path "${rawPath}": max_wrapping_ttl cannot be less than min_wrapping_ttl`);
  }
  return rule;
}

function parameterMap(rawPath: string, key: string, value: unknown): Record<string, unknown[]> | undefined {
  if (value === undefined) return undefined;
  // HCL gives a map block as a list of one map.
  const map = Array.isArray(value) && value.length === 1 ? value[0] : value;
  if (!isRecord(map) || !Object.values(map).every(Array.isArray)) {
    throw policyError(`path "${rawPath}": ${key} must map parameter names to lists of values`);
  }
  return map as Record<string, unknown[]>;
}

function wrappingTtl(rawPath: string, key: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const seconds = parseDurationSeconds(value);
  if (seconds === undefined) throw policyError(`path "${rawPath}": ${key} is not a valid duration`);
  return seconds;
}
