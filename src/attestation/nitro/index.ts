export { verifyNitroDocument, ENCLAVE_PCR, SIGNER_PCR, type NitroClaims, type NitroVerifyOptions } from './verify.js';
export { createCertificateCache, type CertificateCache } from './cert-cache.js';
export { AWS_NITRO_ROOT_PEM, AWS_NITRO_ROOT_SHA256, awsNitroRoot } from './aws-root.js';
export { cborHead, parseCoseSign1, sigStructure, verifyCoseSign1, COSE_ALG_ES384, COSE_SIGN1_TAG, type CoseSign1 } from './cose.js';
export { parseNitroDocument, type NitroDocument } from './document.js';
export { verifyChain, type ChainResult } from './chain.js';
