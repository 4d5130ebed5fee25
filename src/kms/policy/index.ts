export type { ConditionClause, ConditionValue, Effect, KeyPolicy, PolicyDecision, PolicyRequest, PolicyStatement } from './model.js';
export { parseKeyPolicy, MAX_POLICY_BYTES } from './parse.js';
export { evaluateKeyPolicy, statementApplies } from './evaluate.js';
export { evaluateClause, parseOperator } from './conditions.js';
export { conditionMap, mergeConditions, pairConditions } from './condition-values.js';
export { defaultKeyPolicy } from './default-policy.js';
export { wildcardMatch } from './wildcard.js';
