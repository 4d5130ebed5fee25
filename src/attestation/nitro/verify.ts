/**
 * Verifies an AWS Nitro attestation document, as a pure function of (bytes, trust roots, time).
 *
 * @example
 * ```ts
 * const result = verifyNitroDocument(bytes, { trustedRoots: [awsNitroRoot()], now: clock.now(), expectedNonce: challenge });
 * if (!result.ok) throw invalid(result.message);
 * console.log(result.claims.enclaveId); // hex PCR0
 * ```
 *
 * Order of checks: size, envelope and payload shape → certificate chain (validity, CA, trusted root,
 * links from the root down) → ES384 signature under the leaf key → evidence age → nonce → debug mode. Every failure is
 * a result with a stable code; nothing throws on bad evidence.
 */
import { constantTimeEqual } from '../../lib/compare.js';
import { normalizeRoots } from '../roots.js';
import {
  DEFAULT_MAX_AGE_MS, DEFAULT_MAX_FUTURE_SKEW_MS,
  type AttestationClaims, type VerifyFailureCode, type VerifyOptions, type VerifyResult,
} from '../types.js';
import type { CertificateCache } from './cert-cache.js';
import { verifyChain } from './chain.js';
import { COSE_ALG_ES384, parseCoseSign1, verifyCoseSign1 } from './cose.js';
import { parseNitroDocument, type NitroDocument } from './document.js';

export interface NitroVerifyOptions extends VerifyOptions {
  /** Reuses parsed and already-verified cabundle certificates across calls. */
  cache?: CertificateCache;
}

export interface NitroClaims extends AttestationClaims {
  platform: 'nitro';
  moduleId: string;
  digest: 'SHA384';
}

/** Nitro's identity registers: PCR0 = enclave image, PCR8 = signing certificate. */
export const ENCLAVE_PCR = 0;
export const SIGNER_PCR = 8;

/**
 * AWS's field limits and at most 8 cabundle entries keep a document under about 14 KiB (real ones
 * are about 4.5 KiB). Refusing larger input first bounds the decoding work a caller can ask for.
 */
const MAX_DOCUMENT_BYTES = 32 * 1024;

const fail = (code: VerifyFailureCode, message: string): VerifyResult<NitroClaims> => ({ ok: false, code, message });
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function claimsOf(doc: NitroDocument, enclave: Uint8Array, signer: Uint8Array): NitroClaims {
  const measurements: Record<string, string> = {};
  for (const [index, value] of doc.pcrs) measurements[String(index)] = hex(value);
  return {
    platform: 'nitro',
    moduleId: doc.moduleId,
    digest: doc.digest,
    signerId: hex(signer),
    enclaveId: hex(enclave),
    // AWS zeroes PCR0..2 for enclaves started in debug mode.
    debug: enclave.every((b) => b === 0),
    measurements,
    timestamp: doc.timestamp,
    nonce: doc.nonce,
    publicKey: doc.publicKey,
    userData: doc.userData,
  };
}

export function verifyNitroDocument(bytes: Uint8Array, options: NitroVerifyOptions): VerifyResult<NitroClaims> {
  if (bytes.length > MAX_DOCUMENT_BYTES) return fail('malformed', `the attestation document is larger than ${MAX_DOCUMENT_BYTES} bytes`);
  const cose = parseCoseSign1(bytes);
  if (!cose.ok) return fail('malformed', cose.message);
  if (cose.value.alg !== COSE_ALG_ES384) return fail('unsupported_algorithm', 'COSE_Sign1 algorithm must be ES384 (-35)');
  const parsed = parseNitroDocument(cose.value.payload);
  if (!parsed.ok) return fail(parsed.code, parsed.message);
  const doc = parsed.value;
  const enclave = doc.pcrs.get(ENCLAVE_PCR);
  const signer = doc.pcrs.get(SIGNER_PCR);
  if (!enclave || !signer) return fail('malformed', `attestation document lacks PCR${ENCLAVE_PCR} or PCR${SIGNER_PCR}`);

  const trustedRoots = normalizeRoots(options.trustedRoots);
  try {
    const chain = verifyChain({ leaf: doc.certificate, cabundle: doc.cabundle, trustedRoots, now: options.now, cache: options.cache });
    if (!chain.ok) return fail(chain.code, chain.message);
    const leafKey = chain.leaf.publicKey;
    if (leafKey.asymmetricKeyDetails?.namedCurve !== 'secp384r1') return fail('unsupported_algorithm', 'the leaf certificate key is not EC P-384');
    if (!verifyCoseSign1(cose.value, leafKey)) return fail('bad_signature', 'the attestation document signature does not verify');
  } catch {
    // OpenSSL may reject a garbled certificate at any step (e.g. an unreadable key): still a result.
    return fail('malformed', 'a certificate in the attestation document could not be processed');
  }

  const maxAge = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const skew = options.maxFutureSkewMs ?? DEFAULT_MAX_FUTURE_SKEW_MS;
  if (options.now - doc.timestamp > maxAge) return fail('evidence_too_old', 'the attestation document is older than the allowed age');
  if (doc.timestamp - options.now > skew) return fail('evidence_from_future', 'the attestation document timestamp is in the future');

  if (options.expectedNonce !== undefined && (doc.nonce === null || !constantTimeEqual(doc.nonce, options.expectedNonce))) {
    return fail('nonce_mismatch', 'the attestation document nonce is not the expected challenge');
  }
  const claims = claimsOf(doc, enclave, signer);
  if (claims.debug && !options.allowDebug) return fail('debug_not_allowed', 'debug-mode enclave evidence is not allowed');
  return { ok: true, claims };
}
