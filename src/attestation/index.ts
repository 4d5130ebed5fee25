/** Attestation: platform verifiers (Nitro, SEV-SNP, TDX, SGX) and the development enclave. */
export type {
  AttestationClaims, DcapCollateral, PlatformName, PlatformVerifier, SnpTcb, TcbStatus, VerifyFailureCode, VerifyOptions, VerifyResult,
} from './types.js';
export { TCB_STATUSES, isTcbStatus } from './types.js';
export { createPlatformVerifiers, isPlatformName, PLATFORM_NAMES, vendorRoots } from './registry.js';
export { parseCrl, pemCertificateBodies } from './x509/index.js';
export { parseCollateral as parseDcapCollateral, parseCollateralJson as parseDcapCollateralJson, olderCollateral as olderDcapCollateral, intelSgxRootCa, verifyDcapQuote } from './dcap/index.js';
export { amdRoots, verifySnpReport, MAX_CRLS, MAX_CRL_BYTES, MAX_SUPPLIED_CERTIFICATES, MAX_SUPPLIED_ITEM_BYTES } from './snp/index.js';
export { parsePemCertificates } from './roots.js';
export { envelopeForRecipient, openEnvelope, recipientPublicKey, subjectKeyIdentifier } from './recipient-envelope.js';
export * from './nitro/index.js';
export * from './dev-enclave/index.js';
