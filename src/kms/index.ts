/** The KMS: AWS-compatible keys, key policies, crypto, attested recipients and users. */
export { createKmsEngine, type KmsDeps, type KmsEngine } from './backend.js';
export { KMS_OPERATIONS, kmsOperation, type OperationSpec } from './operations/registry.js';
export type { AccessKeyIdentity, AccessKeyResolver, KmsUserRecord } from './users/model.js';
export type { UserStore } from './users/store.js';
export { kmsError, type KmsErrorType } from './errors.js';
export { keyArn, userArn, type KmsLocation } from './arn.js';
export { ensureDevKmsUser } from './dev.js';
