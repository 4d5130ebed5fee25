/** X.509 pieces node:crypto does not provide: extensions by OID, CRLs, signature algorithms. */
export { certificateExtensions, type Extension } from './extensions.js';
export { crlSignedBy, isRevoked, parseCrl, subjectDer, type Crl } from './crl.js';
export { signatureAlgorithm, verifySignature, type SignatureAlgorithm } from './signature.js';
