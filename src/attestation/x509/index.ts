/**
 * X.509 pieces node:crypto does not provide: extensions by OID, CRLs, signature algorithms, path
 * length constraints, what an issuing certificate must be, critical extensions none of them
 * processes, PEM blocks.
 */
export { signedBy, verifyAnchoredPath, type AnchoredPath } from './anchored-path.js';
export { certificateExtensions, type Extension } from './extensions.js';
export { criticalExtensionProblem, type ExtensionProblem } from './critical-extensions.js';
export { crlSignedBy, isRevoked, MAX_CRL_ENTRIES, parseCrl, revokedListProblem, subjectDer, type Crl } from './crl.js';
export { issuerProblem } from './issuer-rules.js';
export { pathLengthProblem } from './path-length.js';
export { pemCertificateBlocks, pemCertificateBodies } from './pem.js';
export { signatureAlgorithm, verifySignature, type SignatureAlgorithm } from './signature.js';
