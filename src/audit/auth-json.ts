/**
 * The `auth` block of a Vault JSON entry, with the caller's part kept per cached token entry
 * (reusableAuthOf): a token's every entry carries the same fields, except `policy_results`, which
 * names the policies that granted this request. So the kept text is the block cut where
 * policy_results goes (after the policy lists, before metadata), and the whole block is kept per
 * verdict: per granting-policy list (the ACL's own frozen array), allowed by none, or denied. So a
 * token's requests through one ACL rule write one kept piece, as before policy_results existed
 * (lib/flat-string.ts).
 */
import { flatten } from '../lib/flat-string.js';
import { authBlock, reusableAuthOf, type EntryHasher, type EntryKind, type VaultAuth } from './entry.js';
import { policyResultsBlock } from './vault-fields.js';
import { writeBlock, writeValue } from './format-json.js';
import type { AuditInput, PolicyResults } from './model.js';

export type AuthJsonWriter = (input: AuditInput, kind: EntryKind) => string;

/** The auth fields Vault's struct declares before policy_results. */
const BEFORE_RESULTS: ReadonlySet<string> = new Set(['client_token', 'accessor', 'display_name', 'policies', 'token_policies', 'identity_policies']);

interface Parts {
  /** `{…,"policy_results":` */
  head: string;
  /** `,…}` (or `}`) */
  tail: string;
  /** The block without policy_results. */
  plain: string;
  /** The whole block per verdict, once seen. */
  allowedByNone?: string;
  denied?: string;
  byGranting: WeakMap<readonly string[], string>;
}

function splitAuth(auth: VaultAuth): Parts {
  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(auth)) (BEFORE_RESULTS.has(k) ? before : after)[k] = v;
  const head = writeBlock(before, 'auth').slice(0, -1);
  const tail = writeBlock(after, 'auth').slice(1);
  return {
    head: flatten(head + (head === '{' ? '' : ',') + '"policy_results":'),
    tail: flatten((tail === '}' ? '' : ',') + tail),
    plain: flatten(head + (head !== '{' && tail !== '}' ? ',' : '') + tail),
    byGranting: new WeakMap(),
  };
}

const ALLOWED_BY_NONE = '{"allowed":true}';
const DENIED = '{"allowed":false}';
/** Per frozen granting-policy list (an ACL's own): its results' text. */
const resultsTexts = new WeakMap<readonly string[], string>();

function policyResultsText(r: PolicyResults): string {
  const names = r.grantingPolicies;
  if (names.length === 0) return r.allowed ? ALLOWED_BY_NONE : DENIED;
  let text = resultsTexts.get(names);
  if (text === undefined) {
    text = flatten(writeValue(policyResultsBlock(r)));
    if (Object.isFrozen(names) && r.allowed) resultsTexts.set(names, text);
  }
  return text;
}

/** The kept block for a verdict; composed afresh only for a granting list the ACL does not own. */
function withResults(parts: Parts, r: PolicyResults): string {
  const names = r.grantingPolicies;
  if (names.length === 0) {
    if (r.allowed) return (parts.allowedByNone ??= flatten(parts.head + ALLOWED_BY_NONE + parts.tail));
    return (parts.denied ??= flatten(parts.head + DENIED + parts.tail));
  }
  if (!r.allowed || !Object.isFrozen(names)) return parts.head + policyResultsText(r) + parts.tail;
  let text = parts.byGranting.get(names);
  if (text === undefined) parts.byGranting.set(names, (text = flatten(parts.head + policyResultsText(r) + parts.tail)));
  return text;
}

export function createAuthJsonWriter(h: EntryHasher): AuthJsonWriter {
  /** Per cached token entry: its block's kept parts. Weak, so a revoked token takes them along. */
  const kept = new WeakMap<object, Parts>();
  return (input, kind) => {
    const reusable = reusableAuthOf(input, kind);
    if (!reusable) return writeBlock(authBlock(input, kind, h), 'auth');
    let parts = kept.get(reusable);
    if (parts === undefined) {
      parts = splitAuth(authBlock({ ...input, policyResults: undefined }, kind, h));
      kept.set(reusable, parts);
    }
    return input.policyResults ? withResults(parts, input.policyResults) : parts.plain;
  };
}
