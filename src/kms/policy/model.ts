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

/** What a call presents to the policy. */
export interface PolicyRequest {
  principalArn: string;
  accountId: string;
  /** kms:Decrypt */
  action: string;
  resourceArn: string;
  /** Lower-cased condition key → value(s). */
  context: Readonly<Record<string, string | readonly string[]>>;
}

export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';
