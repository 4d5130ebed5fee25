/**
 * The audit subsystem's input and hooks, as the core's contract declares them (the lifecycle
 * builds the input; the audit module reads it and implements the hooks).
 */
export { AuditShared, type AuditHooks, type AuditInput, type PolicyResults, type RequestRuns } from '../core/index.js';
