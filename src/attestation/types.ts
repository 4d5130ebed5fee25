/**
 * The platform-independent contract of attestation verification. Each platform (AWS Nitro, AMD
 * SEV-SNP, Intel TDX and SGX) verifies its own evidence format and reduces it to these claims, so
 * the auth method matches roles without knowing any platform's wire format.
 *
 * Verification is a pure function of (evidence bytes, trust roots, time): it never reads a clock
 * or the network, and it returns a result instead of throwing on bad evidence.
 */
import type { X509Certificate } from 'node:crypto';

export type PlatformName = 'nitro' | 'snp' | 'tdx' | 'sgx';

/** Intel DCAP TCB statuses (TCB info v3), best first. */
export type TcbStatus =
  | 'UpToDate'
  | 'SWHardeningNeeded'
  | 'ConfigurationNeeded'
  | 'ConfigurationAndSWHardeningNeeded'
  | 'OutOfDate'
  | 'OutOfDateConfigurationNeeded'
  | 'Revoked';

/** Every TCB status, best first (the order `min_tcb_status` rules compare by). */
export const TCB_STATUSES: readonly TcbStatus[] = [
  'UpToDate', 'SWHardeningNeeded', 'ConfigurationNeeded', 'ConfigurationAndSWHardeningNeeded',
  'OutOfDate', 'OutOfDateConfigurationNeeded', 'Revoked',
];

export function isTcbStatus(value: string): value is TcbStatus {
  return (TCB_STATUSES as readonly string[]).includes(value);
}

/** SEV-SNP TCB_VERSION components (FMC only on Turin and later). */
export interface SnpTcb {
  bootloader: number;
  tee: number;
  snp: number;
  microcode: number;
  fmc?: number;
}

/** What verified evidence says about the workload. Binary values are lower-case hex. */
export interface AttestationClaims {
  platform: PlatformName;
  /**
   * Who signed the image. Nitro: PCR8 (the signing certificate's hash); SGX: MRSIGNER; SNP:
   * ID_KEY_DIGEST (zero without an ID block); TDX: MROWNER (zero unless the host sets it).
   */
  signerId: string;
  /** Which image runs. Nitro: PCR0; SGX: MRENCLAVE; SNP: MEASUREMENT; TDX: MRTD. */
  enclaveId: string;
  /** A debug-mode enclave: its memory is readable by the host, so its measurements prove nothing. */
  debug: boolean;
  /**
   * Every measured or reported value by name, lower-case hex (numbers in decimal text).
   * Nitro: "0".."31" → PCR. SNP: measurement, host_data, id_key_digest, author_key_digest,
   * family_id, image_id, report_data, chip_id, policy, vmpl, guest_svn. TDX: mr_td, rtmr0..rtmr3,
   * mr_config_id, mr_owner, mr_owner_config, mr_seam, mr_signer_seam, td_attributes, xfam,
   * report_data. SGX: mr_enclave, mr_signer, isv_prod_id, isv_svn, attributes, report_data.
   */
  measurements: Record<string, string>;
  /**
   * ms since the epoch, as stated by the evidence. SNP, TDX and SGX evidence states no time: it
   * is the verification time, and freshness comes from the challenge in REPORT_DATA.
   */
  timestamp: number;
  /** Nitro: the document's nonce. SNP/TDX/SGX: REPORT_DATA[0..32], where the challenge goes. */
  nonce: Uint8Array | null;
  publicKey: Uint8Array | null;
  /** Nitro: the document's user_data. SNP/TDX/SGX: REPORT_DATA[32..64], the workload's own. */
  userData: Uint8Array | null;
  /** DCAP (TDX, SGX): the TCB status the collateral gives this platform and TEE, with advisories. */
  tcbStatus?: TcbStatus;
  advisoryIds?: string[];
  /** SNP: the reported TCB (what the VCEK/VLEK was issued for), and the VMPL the report came from. */
  snpTcb?: SnpTcb;
  vmpl?: number;
  /** SEV-SNP: the guest policy lets a migration agent be associated with the guest (MIGRATE_MA). */
  migrationAgent?: boolean;
}

/** Stable failure codes; `message` explains which check failed and never quotes measurements. */
export type VerifyFailureCode =
  | 'malformed'              // not decodable as the platform's evidence format
  | 'unsupported_algorithm'  // a signature algorithm or digest other than the platform's
  | 'bad_signature'          // the evidence signature does not verify under the leaf key
  | 'bad_chain'              // a certificate is not issued/signed by the next one
  | 'not_ca'                 // an issuing certificate lacks CA:TRUE, its keyUsage lacks keyCertSign or is malformed, or it has more CAs below it than its pathLenConstraint allows
  | 'certificate_expired'    // a certificate's validity ended before the verification time
  | 'certificate_not_yet_valid'
  | 'untrusted_root'         // the chain does not end in a trusted root
  | 'unknown_critical_extension' // a certificate in the chain has a critical extension the verifier does not process
  | 'evidence_too_old'       // older than the age limit
  | 'evidence_from_future'   // timestamp beyond the allowed clock skew
  | 'nonce_mismatch'         // the signed nonce is not the expected challenge
  | 'debug_not_allowed'      // debug-mode evidence and debug was not allowed
  | 'revoked'                // a certificate in the chain is on its issuer's CRL
  | 'collateral_missing'     // DCAP evidence without the collateral it needs
  | 'collateral_invalid'     // collateral that does not parse or is not signed by its chain
  | 'collateral_expired'     // collateral past its nextUpdate (or not yet issued) at the verification time
  | 'tcb_mismatch'           // the evidence does not match its certificate (SNP chip id / TCB, DCAP FMSPC / QE identity)
  | 'tcb_revoked';           // the platform's TCB level is Revoked

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
  /**
   * SNP: certificates that come with the report — the VCEK or VLEK, and optionally its ASK/ASVK
   * (DER or PEM). The chain must still end in a trusted root.
   */
  certificates?: ReadonlyArray<Uint8Array>;
  /** SNP: CRLs (DER) signed by the ARK; a certificate on one fails with `revoked`. */
  crls?: ReadonlyArray<Uint8Array>;
  /** TDX / SGX: the DCAP collateral (required for those platforms). */
  collateral?: DcapCollateral;
}

/**
 * DCAP collateral in the layout close to Intel PCS answers: issuer chains as PEM text, CRLs as hex
 * DER, TCB info and QE identity as their exact signed JSON text with hex r||s signatures.
 */
export interface DcapCollateral {
  pck_crl_issuer_chain: string;
  root_ca_crl: string;
  pck_crl: string;
  tcb_info_issuer_chain: string;
  tcb_info: string;
  tcb_info_signature: string;
  qe_identity_issuer_chain: string;
  qe_identity: string;
  qe_identity_signature: string;
}

/** One platform's verifier; the registry maps every PlatformName to one. */
export interface PlatformVerifier {
  readonly platform: PlatformName;
  verify(evidence: Uint8Array, options: VerifyOptions): VerifyResult;
}

export const DEFAULT_MAX_AGE_MS = 5 * 60_000;
export const DEFAULT_MAX_FUTURE_SKEW_MS = 60_000;
