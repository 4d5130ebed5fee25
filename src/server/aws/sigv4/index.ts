/** SigV4 request verification for the AWS edge. */
export { checkSigV4Headers, verifySigV4, parseAmzDate, formatAmzDate, SIGNATURE_MISMATCH_MESSAGE, UNRECOGNIZED_CLIENT_MESSAGE } from './verify.js';
export type { SigV4FailureCode, SigV4Options, SigV4Request, SigV4Result } from './verify.js';
export { canonicalRequest, canonicalQuery, canonicalUri, stringToSign, sha256Hex, uriEncode } from './canonical.js';
export { createSigningKeyCache, deriveSigningKey, signString, type SigningKeyCache } from './signing-key.js';
export { parseAuthorization, type ParsedAuthorization } from './parse.js';
