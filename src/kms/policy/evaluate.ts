/**
 * Key policy evaluation, AWS's order: an explicit Deny in any matching statement wins; otherwise a
 * matching Allow allows; otherwise the call is implicitly denied.
 *
 * Principals: a user ARN is bound to the user it named when the policy was written (as IAM keeps a
 * principal's unique id), so a user deleted and created again under the same name is a stranger
 * to the old policy. The account root (`arn:aws:iam::<account>:root`) matches every user of that account.
 * In AWS that root grant delegates the decision to IAM policies; Sealtrail's IAM is the Vault ACL
 * of the user's linked token, already checked by the lifecycle before the handler runs — so the
 * root grant is "allow for this account's users, subject to their Vault ACL".
 *
 * Each evaluation may make at most POLICY_MATCH_BUDGET character comparisons (wildcard.ts): a
 * policy and request that would need more are refused ('too-costly'), whatever the statements
 * would have said, so that no key policy can hold the event loop. An ordinary policy takes a few
 * thousand.
 */
import { getOwn } from '../../lib/safe-object.js';
import { evaluateClause } from './conditions.js';
import type { AmbiguousValue, ConditionValue, KeyPolicy, PolicyDecision, PolicyRequest, PolicyStatement } from './model.js';
import { MatchBudget, MatchBudgetSpent, wildcardMatch } from './wildcard.js';

/** About a few milliseconds of matching on one core. */
export const POLICY_MATCH_BUDGET = 1_000_000;

function principalMatches(s: PolicyStatement, req: PolicyRequest): boolean {
  if (s.principals === '*') return true;
  return s.principals.some((p) => {
    const bound = req.principalIds === undefined ? undefined : getOwn(req.principalIds, p);
    if (bound !== undefined) return bound !== '' && bound === req.principalId;
    if (p === req.principalArn) return true;
    const root = /^arn:aws:iam::(\d{12}):root$/.exec(p);
    return root !== null && root[1] === req.accountId && req.principalArn.startsWith(`arn:aws:iam::${req.accountId}:`);
  });
}

function actionMatches(s: PolicyStatement, action: string, budget: MatchBudget): boolean {
  const hit = s.actions.some((a) => wildcardMatch(a, action, true, budget));
  return s.notAction ? !hit : hit;
}

function resourceMatches(s: PolicyStatement, arn: string, budget: MatchBudget): boolean {
  const hit = s.resources.some((r) => wildcardMatch(r, arn, false, budget));
  return s.notResource ? !hit : hit;
}

function conditionsHold(s: PolicyStatement, req: PolicyRequest, budget: MatchBudget): boolean {
  return s.conditions.every((c) => {
    const value = getOwn(req.context, c.key);
    if (!isAmbiguous(value)) return evaluateClause(c.operator, c.values, value, budget);
    const holds = (candidate: string) => evaluateClause(c.operator, c.values, candidate, budget);
    return s.effect === 'Deny' ? value.candidates.some(holds) : value.candidates.every(holds);
  });
}

const isAmbiguous = (value: ConditionValue | undefined): value is AmbiguousValue => typeof value === 'object' && 'candidates' in value;

export function statementApplies(s: PolicyStatement, req: PolicyRequest, budget = new MatchBudget(POLICY_MATCH_BUDGET)): boolean {
  return principalMatches(s, req) && actionMatches(s, req.action, budget) && resourceMatches(s, req.resourceArn, budget) && conditionsHold(s, req, budget);
}

export function evaluateKeyPolicy(policy: KeyPolicy, req: PolicyRequest, budgetUnits = POLICY_MATCH_BUDGET): PolicyDecision {
  const budget = new MatchBudget(budgetUnits);
  let allowed = false;
  try {
    for (const s of policy.statements) {
      if (!statementApplies(s, req, budget)) continue;
      if (s.effect === 'Deny') return 'explicit-deny';
      allowed = true;
    }
  } catch (err) {
    if (err instanceof MatchBudgetSpent) return 'too-costly';
    throw err;
  }
  return allowed ? 'allow' : 'implicit-deny';
}
