/** HA: several nodes on one storage, one active at a time (Vault's semantics). */
export { createHaNode, type HaNode, type HaNodeOptions, type LeaderStatus } from './node.js';
export { haTiming, monotonicMs, type HaTiming } from './timing.js';
export type { HaBackend, HaCore, HaRole, LockHolder, NodeRoleView } from './types.js';
