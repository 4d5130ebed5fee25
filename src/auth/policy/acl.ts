/**
 * Compiles parsed policies into an ACL with Vault's matching rules.
 *
 * Rules by kind:
 * - exact:   `secret/data/app`            matches that path only;
 * - glob:    `secret/data/*`              `*` only at the end, a prefix match;
 * - segment: `secret/+/app`, `kv/+/x/*`   each `+` segment matches exactly one path segment; a
 *                                          trailing `*` makes the last segment a prefix match.
 * Rules for the same pattern from several policies are merged: capabilities are unioned, except
 * that a `deny` replaces everything else.
 *
 * Choosing the rule for a path (Vault's "priority matching"):
 * 1. an exact rule wins outright (for `list`, a trailing `/` may also be dropped to find one; a
 *    listing of `dir/` is then matched as `dir` first, and as `dir/` only if no rule matches `dir`);
 * 2. otherwise every matching glob/segment rule is ranked, and the highest wins, where a rule P1
 *    ranks lower than P2 when — checked in order —
 *    a. P1's first wildcard (`+` or `*`) comes earlier in the pattern,
 *    b. P1 ends in `*` and P2 does not,
 *    c. P1 has more `+` segments,
 *    d. P1 is shorter,
 *    e. P1 is smaller lexicographically.
 * Only the chosen rule counts: its `deny` refuses everything, and capabilities granted by a less
 * specific rule do not add up. A request also has to meet the chosen rule's parameter and
 * wrapping constraints (parameters.ts).
 *
 * Each capability of a rule remembers which policies granted it, in policy order (what Vault's
 * audit entry reports as `auth.policy_results.granting_policies`); a `deny` forgets them all.
 */
import type { Operation } from '../../core/index.js';
import { ALL_GRANTS, CAPABILITY_BITS, bitsToCapabilities } from './capabilities.js';
import type { ParsedPolicy } from './parse.js';
import { constraintsAllow, constraintsOf, mergeConstraints, type ConstrainedRequest, type ParameterConstraints } from './parameters.js';
import type { Acl, AclDecision, Capability } from './types.js';

/** What a pattern grants: capability bits, and the constraints a request must meet. */
interface Grant {
  bits: number;
  constraints?: ParameterConstraints;
  /** Per capability bit: the names of the policies that granted it (frozen once compiled). */
  granters?: Readonly<Record<number, readonly string[]>>;
}

const NOTHING: Grant = { bits: 0 };
const NO_POLICIES: readonly string[] = Object.freeze([]);

/** A parsed policy and the name the ACL reports when one of its rules grants a request. */
export type NamedPolicy = ParsedPolicy & { name?: string };

interface RankedRule extends Grant {
  pattern: string;
  /** Index of the first `+` or `*` in the pattern. */
  firstWildcard: number;
  isPrefix: boolean;
  plusCount: number;
}

interface SegmentRule extends RankedRule {
  /** Pattern segments, trailing `*` removed. */
  parts: string[];
}

const OPERATION_BITS: Record<Exclude<Operation, 'help'>, number> = {
  create: CAPABILITY_BITS.create,
  read: CAPABILITY_BITS.read,
  update: CAPABILITY_BITS.update,
  patch: CAPABILITY_BITS.patch,
  delete: CAPABILITY_BITS.delete,
  list: CAPABILITY_BITS.list,
};

function mergeGranters(a: Grant['granters'], b: Grant['granters']): Grant['granters'] {
  if (!a || !b) return a ?? b;
  const out: Record<number, readonly string[]> = { ...a };
  for (const [key, names] of Object.entries(b)) {
    const have = out[Number(key)] ?? [];
    out[Number(key)] = [...have, ...names.filter((n) => !have.includes(n))];
  }
  return out;
}

function merge(existing: Grant | undefined, incoming: Grant): Grant {
  if (existing === undefined) return incoming;
  if (existing.bits & CAPABILITY_BITS.deny) return existing;
  if (incoming.bits & CAPABILITY_BITS.deny) return { bits: CAPABILITY_BITS.deny };
  return {
    bits: existing.bits | incoming.bits,
    constraints: mergeConstraints(existing.constraints, incoming.constraints),
    granters: mergeGranters(existing.granters, incoming.granters),
  };
}

/** The granters of a capability set: every bit of `bits` granted by `name`. */
function grantersOf(bits: number, name: string | undefined): Grant['granters'] {
  if (name === undefined || bits & CAPABILITY_BITS.deny) return undefined;
  const out: Record<number, readonly string[]> = {};
  for (let bit = 1; bit <= bits; bit <<= 1) if (bits & bit) out[bit] = [name];
  return out;
}

/** Freezes the granter lists, so a decision hands out the compiled arrays themselves. */
function frozenGrant(grant: Grant): Grant {
  if (!grant.granters) return grant;
  const granters: Record<number, readonly string[]> = {};
  for (const [bit, names] of Object.entries(grant.granters)) granters[Number(bit)] = Object.freeze([...names]);
  return { ...grant, granters: Object.freeze(granters) };
}

/** Positive when `a` has the higher priority. */
function comparePriority(a: RankedRule, b: RankedRule): number {
  if (a.firstWildcard !== b.firstWildcard) return a.firstWildcard - b.firstWildcard;
  if (a.isPrefix !== b.isPrefix) return a.isPrefix ? -1 : 1;
  if (a.plusCount !== b.plusCount) return b.plusCount - a.plusCount;
  if (a.pattern.length !== b.pattern.length) return a.pattern.length - b.pattern.length;
  return a.pattern < b.pattern ? -1 : a.pattern > b.pattern ? 1 : 0;
}

/**
 * Vault's test for a segment rule: a `+` that is a whole segment (`+`, `.../+...`, `+/...`). A `+`
 * inside a segment (`a+b/*`) is a literal character and the rule an ordinary glob, ranked by its
 * `*`: taking it for a wildcard would rank a glob `deny` below a grant it outranks in Vault.
 */
function hasSegmentWildcard(path: string): boolean {
  return path === '+' || path.includes('/+') || path.startsWith('+/');
}

function segmentMatches(rule: SegmentRule, pathParts: string[]): boolean {
  const { parts, isPrefix } = rule;
  if (pathParts.length < parts.length) return false;
  if (!isPrefix && pathParts.length !== parts.length) return false;
  for (let i = 0; i < parts.length; i++) {
    const want = parts[i];
    const got = pathParts[i];
    if (want === '+' || want === got) continue;
    if (isPrefix && i === parts.length - 1 && got.startsWith(want)) continue;
    return false;
  }
  return true;
}

function decision({ bits, constraints, granters }: Grant, operation: Operation, request: ConstrainedRequest | undefined): AclDecision {
  const capabilities = bitsToCapabilities(bits);
  if (bits & CAPABILITY_BITS.deny) return { allowed: false, sudo: false, capabilities, grantingPolicies: NO_POLICIES };
  const sudo = (bits & CAPABILITY_BITS.sudo) !== 0;
  // Vault: help is always allowed, and granted by no policy.
  if (operation === 'help') return { allowed: true, sudo, capabilities, grantingPolicies: NO_POLICIES };
  const bit = OPERATION_BITS[operation];
  const allowed = (bits & bit) !== 0 && (request === undefined || constraintsAllow(constraints, operation, request));
  return { allowed, sudo, capabilities, grantingPolicies: allowed ? granters?.[bit] ?? NO_POLICIES : NO_POLICIES };
}

/** Builds the ACL of a set of parsed policies. */
export function compileAcl(policies: readonly NamedPolicy[]): Acl {
  const exact = new Map<string, Grant>();
  const globGrants = new Map<string, Grant>();
  const segmentGrants = new Map<string, Grant>();
  for (const policy of policies) {
    for (const rule of policy.paths) {
      const bits = rule.capabilities.reduce((acc, c) => acc | CAPABILITY_BITS[c], 0);
      const grant: Grant = { bits, constraints: constraintsOf(rule), granters: grantersOf(bits, policy.name) };
      const target = hasSegmentWildcard(rule.path) ? segmentGrants : rule.path.endsWith('*') ? globGrants : exact;
      target.set(rule.path, merge(target.get(rule.path), grant));
    }
  }
  for (const target of [exact, globGrants, segmentGrants]) for (const [pattern, grant] of target) target.set(pattern, frozenGrant(grant));
  // Longest prefix first, so the first hit is the longest-prefix match.
  const globs: RankedRule[] = [...globGrants].map(([pattern, grant]) => ({
    ...grant, pattern, firstWildcard: pattern.length - 1, isPrefix: true, plusCount: 0,
  })).sort((a, b) => b.firstWildcard - a.firstWildcard);
  const segments: SegmentRule[] = [...segmentGrants].map(([pattern, grant]) => {
    const isPrefix = pattern.endsWith('*');
    const parts = (isPrefix ? pattern.slice(0, -1) : pattern).split('/');
    return { ...grant, pattern, parts, isPrefix, firstWildcard: pattern.indexOf('+'), plusCount: parts.filter((p) => p === '+').length };
  });

  function bestNonExact(path: string): RankedRule | undefined {
    let best: RankedRule | undefined = globs.find((g) => path.startsWith(g.pattern.slice(0, -1)));
    if (segments.length > 0) {
      const pathParts = path.split('/');
      for (const seg of segments) {
        if (segmentMatches(seg, pathParts) && (!best || comparePriority(seg, best) > 0)) best = seg;
      }
    }
    return best;
  }

  function resolve(rawPath: string, listing: boolean): Grant {
    const path = rawPath.replace(/^\/+/, '');
    const direct = exact.get(path);
    if (direct !== undefined) return direct;
    if (!listing || !path.endsWith('/')) return bestNonExact(path) ?? NOTHING;
    // Vault: a listing of `dir/` is decided by the rules for `dir` first, wildcards included, so
    // a rule for what is inside the directory cannot override the one for the directory itself.
    const dir = path.slice(0, -1);
    return exact.get(dir) ?? bestNonExact(dir) ?? bestNonExact(path) ?? NOTHING;
  }

  const grants = (grant: Grant) => grant.bits !== 0 && (grant.bits & CAPABILITY_BITS.deny) === 0;

  /** A segment rule that can match some path below the mount (its leading segments fit the mount's). */
  function segmentReachesUnder(rule: SegmentRule, mountParts: string[]): boolean {
    const { parts, isPrefix } = rule;
    for (let i = 0; i < mountParts.length; i++) {
      if (i === parts.length) return false;
      const want = parts[i];
      if (isPrefix && i === parts.length - 1 && mountParts[i].startsWith(want)) return true;
      if (want !== '+' && want !== mountParts[i]) return false;
    }
    return true;
  }

  function grantsUnder(mountPath: string): boolean {
    const prefix = mountPath.replace(/^\/+/, '');
    if (grants(resolve(prefix, true))) return true;
    for (const [pattern, grant] of exact) if (pattern.startsWith(prefix) && grants(grant)) return true;
    for (const rule of globs) if (rule.pattern.startsWith(prefix) && grants(rule)) return true;
    const mountParts = prefix.replace(/\/$/, '').split('/');
    return segments.some((rule) => grants(rule) && segmentReachesUnder(rule, mountParts));
  }

  return {
    check: (path, operation, request) => decision(resolve(path, operation === 'list'), operation, request),
    capabilities: (path) => bitsToCapabilities(resolve(path, true).bits),
    grantsUnder,
  };
}

const ROOT_CAPABILITIES: Capability[] = bitsToCapabilities(ALL_GRANTS);
const ROOT_GRANTING: readonly string[] = Object.freeze(['root']);

/** The `root` policy: every operation on every path, including sudo, granted by `root` itself. */
export const rootAcl: Acl = {
  check: () => ({ allowed: true, sudo: true, capabilities: [...ROOT_CAPABILITIES], grantingPolicies: ROOT_GRANTING }),
  capabilities: () => [...ROOT_CAPABILITIES],
  grantsUnder: () => true,
};
