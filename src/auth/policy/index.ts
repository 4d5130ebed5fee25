export type { Acl, AclDecision, Capability, PolicyStore } from './types.js';
export { compileAcl, rootAcl } from './acl.js';
export { parsePolicy, type ParsedPolicy, type PathRule } from './parse.js';
export { createPolicyStore, normalizePolicyName } from './store.js';
export { ensureDefaultPolicy, DEFAULT_POLICY_TEXT } from './default-policy.js';
