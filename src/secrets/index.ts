/** Secret engines: versioned KV and Antimatter-style capsules. */
export { kvBackend } from './kv/index.js';
export { cubbyholeBackend, type Cubbyholes } from './cubbyhole/index.js';
export * from './capsule/index.js';
