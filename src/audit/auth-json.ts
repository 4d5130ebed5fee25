/**
 * The `auth` block of a Vault JSON entry, with the caller's part kept per cached token entry
 * (reusableAuthOf): a token's every entry carries the same fields, except `policy_results`, which
 * names the policies that granted this request. So the kept text is the block cut where
 * policy_results goes (after the policy lists, before metadata), and a line is the kept head, the
 * results' text (itself kept per granting-policy list of the ACL) and the kept tail: three pieces,
 * as cheap to write out as the one block it replaces (lib/flat-string.ts).
 */
import { flatten } from '../lib/flat-string.js';
import { authBlock, policyResultsBlock, reusableAuthOf, type EntryHasher, type EntryKind, type VaultAuth } from './entry.js';
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
    const r = input.policyResults;
    return r ? parts.head + policyResultsText(r) + parts.tail : parts.plain;
  };
}
