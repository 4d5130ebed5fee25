/** The audit subsystem's public surface (re-exports only). */
export { createAuditManager } from './manager.js';
export type { AuditManager, AuditManagerDeps, AuditDeviceInfo, ConfigDeviceDeclaration, EnableRequest, DeviceSource } from './manager.js';
export { createAuditBroker, DEFAULT_BLOCK_TIMEOUT_MS } from './broker.js';
export type { AuditBroker, AuditBrokerDeps } from './broker.js';
export { createAuditDevice, filterSubject } from './device.js';
export type { AuditDevice, DeviceDefinition, AuditedHeaders } from './device.js';
export { parseCommonOptions } from './device-options.js';
export type { CommonOptions, AuditFormat } from './device-options.js';
export { buildEntry } from './entry.js';
export type { VaultEntry, EntryKind, EntryHasher } from './entry.js';
export { createSalt, createEntryHasher, hashData, HMAC_PREFIX } from './hash.js';
export { formatJson } from './format-json.js';
export { formatJsonx } from './format-jsonx.js';
export { elideListData } from './elide.js';
export { parseFilter, evaluateFilter, FILTER_FIELDS } from './filter.js';
export type { FilterNode, FilterSubject } from './filter.js';
export type { AuditInput, AuditHooks } from './model.js';
