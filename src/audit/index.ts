/** The audit subsystem's public surface (re-exports only). */
export { createAuditManager } from './manager.js';
export type { AuditManager, AuditManagerDeps, AuditDeviceInfo, ConfigDeviceDeclaration, EnableRequest, DeviceSource } from './manager.js';
export { createAuditBroker } from './broker.js';
export type { AuditBroker, AuditBrokerDeps } from './broker.js';
export { createAuditDevice } from './device.js';
export type { AuditDevice, DeviceDefinition, AuditedHeaders } from './device.js';
export { parseCommonOptions } from './device-options.js';
export type { CommonOptions, AuditFormat } from './device-options.js';
export type { VaultEntry, EntryKind, EntryHasher } from './entry.js';
export { createSalt, createEntryHasher, hashData } from './hash.js';
export { elideListData } from './elide.js';
export { parseFilter, evaluateFilter } from './filter.js';
export type { FilterNode, FilterSubject } from './filter.js';
export type { AuditInput, AuditHooks } from './model.js';
export { preflightConfigDevices } from './manager.js';
export { sinkFactories, shownOptions, DEVICE_TYPES, isDeviceType, type DeviceType } from './devices/index.js';
export type { DeliveryLosses } from './devices/types.js';
