/** A key policy, normalized from AWS's JSON policy language. */
export type Effect = 'Allow' | 'Deny';

export interface ConditionClause {
  /** The operator as written: StringEquals, StringLikeIfExists, ForAnyValue:StringLike ... */
  operator: string;
  /** Lower-cased condition key: kms:recipientattestation:imagesha384. */
  key: string;
  values: string[];
}

export interface PolicyStatement {
  sid?: string;
  effect: Effect;
  /** AWS principal ARNs, or "*" for anyone. Non-AWS principals (Service, Federated) never match a user. */
  principals: string[] | '*';
  /** Action patterns (kms:Decrypt, kms:*, kms:Generate*); `notAction` inverts. */
  actions: string[];
  notAction: boolean;
  /** Resource patterns ("*" or ARNs with wildcards); `notResource` inverts. */
  resources: string[];
  notResource: boolean;
  conditions: ConditionClause[];
}

export interface KeyPolicy {
  statements: PolicyStatement[];
}

/**
 * A single-valued condition key the request gives more than one value: condition key names ignore
 * case and encryption context keys do not, so `kms:EncryptionContext:dept` names both pairs of
 * `{"dept": "finance", "Dept": "x"}`. Which one a condition means is ambiguous, so it is tried on
 * each candidate: an Allow needs its condition to hold for all of them, a Deny applies if it holds
 * for any. Whichever pair a reader of the context takes for the real one, the policy allows no
 * more than it would for that pair alone, in whatever order the pairs came.
 */
export interface AmbiguousValue {
  candidates: readonly string[];
}

/** A condition key's value: one string, a set (kms:EncryptionContextKeys), or ambiguous. */
export type ConditionValue = string | readonly string[] | AmbiguousValue;

/** What a call presents to the policy. */
export interface PolicyRequest {
  principalArn: string;
  /** The caller's unique id (a user's `AIDA…` principal id): what a bound principal is compared with. */
  principalId?: string;
  /**
   * The key's principal bindings: each user ARN its policy names → the unique id of the user it
   * named when the policy was written (`''` when no such user existed). A bound ARN matches only
   * that user, never a later user given the same name; an ARN not bound here is compared whole.
   */
  principalIds?: Readonly<Record<string, string>>;
  accountId: string;
  /** kms:Decrypt */
  action: string;
  resourceArn: string;
  /** Lower-cased condition key → value(s). */
  context: Readonly<Record<string, ConditionValue>>;
}

/** `too-costly`: the evaluation spent its matching budget before it could decide (evaluate.ts). */
export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny' | 'too-costly';
