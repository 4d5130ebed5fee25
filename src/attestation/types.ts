/**
 * The platform-independent contract of attestation verification. Each platform (nitro today;
 * SGX / SEV-SNP later) verifies its own evidence format and reduces it to these claims, so the
 * auth method matches roles without knowing any platform's wire format.
 *
 * Verification is a pure function of (evidence bytes, trust roots, time): it never reads a clock
 * or the network, and it returns a result instead of throwing on bad evidence.
 */
import type { X509Certificate } from 'node:crypto';

export type PlatformName = 'nitro';

/** What verified evidence says about the workload. Binary values are lower-case hex. */
export interface AttestationClaims {
  platform: PlatformName;
  /** Who signed the image (Nitro: PCR8, the hash of the signing certificate). */
  signerId: string;
  /** Which image runs (Nitro: PCR0). */
  enclaveId: string;
  /** A debug-mode enclave: its memory is readable by the host, so its measurements prove nothing. */
  debug: boolean;
  /** Every measurement by its register name (Nitro: "0".."31" → hex PCR). */
  measurements: Record<string, string>;
  /** ms since the epoch, as stated by the evidence. */
  timestamp: number;
  nonce: Uint8Array | null;
  publicKey: Uint8Array | null;
  userData: Uint8Array | null;
}

/** Stable failure codes; `message` explains which check failed and never quotes measurements. */
export type VerifyFailureCode =
  | 'malformed'              // not decodable as the platform's evidence format
  | 'unsupported_algorithm'  // a signature algorithm or digest other than the platform's
  | 'bad_signature'          // the evidence signature does not verify under the leaf key
  | 'bad_chain'              // a certificate is not issued/signed by the next one
  | 'not_ca'                 // an issuing certificate lacks basicConstraints CA:TRUE
  | 'certificate_expired'    // a certificate's validity ended before the verification time
  | 'certificate_not_yet_valid'
  | 'untrusted_root'         // the chain does not end in a trusted root
  | 'evidence_too_old'       // older than the age limit
  | 'evidence_from_future'   // timestamp beyond the allowed clock skew
  | 'nonce_mismatch'         // the signed nonce is not the expected challenge
  | 'debug_not_allowed';     // debug-mode evidence and debug was not allowed

export type VerifyResult<C extends AttestationClaims = AttestationClaims> =
  | { ok: true; claims: C }
  | { ok: false; code: VerifyFailureCode; message: string };

export interface VerifyOptions {
  /** Trust anchors: parsed certificates or PEM text (one string may hold several certificates). */
  trustedRoots: ReadonlyArray<X509Certificate | string>;
  /** The verification time, ms since the epoch. */
  now: number;
  /** Maximum age of the evidence's own timestamp; default 5 minutes. */
  maxAgeMs?: number;
  /** Tolerated clock skew for timestamps ahead of `now`; default 1 minute. */
  maxFutureSkewMs?: number;
  /** When set, the signed nonce must be exactly these bytes. */
  expectedNonce?: Uint8Array;
  /** Accept debug-mode evidence (default false). */
  allowDebug?: boolean;
}

/** One platform's verifier; the registry maps every PlatformName to one. */
export interface PlatformVerifier {
  readonly platform: PlatformName;
  verify(evidence: Uint8Array, options: VerifyOptions): VerifyResult;
}

export const DEFAULT_MAX_AGE_MS = 5 * 60_000;
export const DEFAULT_MAX_FUTURE_SKEW_MS = 60_000;
