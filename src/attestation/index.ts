/** Attestation: platform verifiers (nitro) and the development enclave. */
export type {
  AttestationClaims, PlatformName, PlatformVerifier, VerifyFailureCode, VerifyOptions, VerifyResult,
} from './types.js';
export { createPlatformVerifiers, isPlatformName, PLATFORM_NAMES } from './registry.js';
export { parsePemCertificates } from './roots.js';
export * from './nitro/index.js';
export * from './dev-enclave/index.js';
