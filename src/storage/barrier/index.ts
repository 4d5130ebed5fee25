export type { SealManager, SealStatus, InitResult } from './types.js';
export type { RekeyProgress, RekeyStatus, RekeyVerifyProgress, RekeyVerifyStatus } from './rekey.js';
export { createSealManager, type SealManagerDeps } from './seal-manager.js';
export { readUnsealKeyFile, writeUnsealKeyFile } from './key-file.js';
export { randomKey as randomUnsealKey } from './aead.js';
export { SEAL_PREFIX } from './barrier.js';
export { validateSealConfig, type SealConfig } from './seal-config.js';
export { MAX_ENCRYPTIONS_PER_TERM, MIN_MAX_OPERATIONS, MIN_ROTATION_INTERVAL_MS, type RotationConfig } from './key-usage.js';
