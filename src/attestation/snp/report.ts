/**
 * The SEV-SNP ATTESTATION_REPORT (AMD SEV-SNP ABI spec 56860, "ATTESTATION_REPORT"): 1184 bytes,
 * little-endian, the first 0x2A0 bytes signed with ECDSA P-384 / SHA-384 by the VCEK or VLEK.
 * Versions 2..5 share the layout read here; v3 adds the CPUID family/model/stepping at 0x188, v5
 * the mitigation vectors at 0x1F8 (not read). Parsing checks shape only, never the signature.
 */
export const REPORT_LENGTH = 1184;
export const SIGNED_LENGTH = 0x2a0;
export const MIN_VERSION = 2;
export const MAX_VERSION = 5;
/** SIGNATURE_ALGO 1: ECDSA P-384 with SHA-384. */
export const ECDSA_P384_SHA384 = 1;
/** POLICY bit 19: the guest may be debugged (the host can read and write its memory). */
export const POLICY_DEBUG = 1n << 19n;
/**
 * POLICY bit 18: a migration agent may be associated with the guest (MIGRATE_MA). The host sets the
 * policy at launch and, without an ID block, it is not part of MEASUREMENT.
 */
export const POLICY_MIGRATE_MA = 1n << 18n;

export type SigningKey = 'vcek' | 'vlek';

export interface SnpReport {
  version: number;
  guestSvn: number;
  policy: bigint;
  familyId: Uint8Array;
  imageId: Uint8Array;
  vmpl: number;
  /** SIGNER_INFO: MASK_CHIP_ID zeroes CHIP_ID; SIGNING_KEY says which key signed. */
  maskChipId: boolean;
  signingKey: SigningKey;
  reportData: Uint8Array;
  measurement: Uint8Array;
  hostData: Uint8Array;
  idKeyDigest: Uint8Array;
  authorKeyDigest: Uint8Array;
  reportId: Uint8Array;
  /** The raw 8-byte TCB_VERSION: its byte layout depends on the product (Turin adds FMC). */
  reportedTcb: Uint8Array;
  /** v3 and later; 0 in v2 reports, which do not state it. */
  cpuidFamily: number;
  cpuidModel: number;
  chipId: Uint8Array;
  /** The bytes the signature covers. */
  signed: Uint8Array;
  /** r||s big-endian, 48 bytes each (node's 'ieee-p1363' form); undefined when out of range. */
  signature: Uint8Array | undefined;
}

export type ReportParseResult =
  | { ok: true; report: SnpReport }
  | { ok: false; code: 'malformed' | 'unsupported_algorithm'; message: string };

const COMPONENT_LENGTH = 72;
const SCALAR_LENGTH = 48;

/** One 72-byte little-endian signature component → 48 bytes big-endian, or undefined if ≥ 2^384. */
function scalar(bytes: Uint8Array, offset: number): Uint8Array | undefined {
  const le = bytes.subarray(offset, offset + COMPONENT_LENGTH);
  if (le.subarray(SCALAR_LENGTH).some((b) => b !== 0)) return undefined;
  return Uint8Array.from(le.subarray(0, SCALAR_LENGTH)).reverse();
}

export function parseSnpReport(bytes: Uint8Array): ReportParseResult {
  if (bytes.length !== REPORT_LENGTH) return { ok: false, code: 'malformed', message: `an SEV-SNP attestation report is ${REPORT_LENGTH} bytes` };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (offset: number) => view.getUint32(offset, true);
  const field = (offset: number, length: number) => Uint8Array.from(bytes.subarray(offset, offset + length));

  const version = u32(0x00);
  if (version < MIN_VERSION || version > MAX_VERSION) {
    return { ok: false, code: 'malformed', message: `unsupported SEV-SNP report version (${MIN_VERSION}..${MAX_VERSION} are read)` };
  }
  if (u32(0x34) !== ECDSA_P384_SHA384) return { ok: false, code: 'unsupported_algorithm', message: 'the report signature algorithm is not ECDSA P-384 with SHA-384' };
  const vmpl = u32(0x30);
  if (vmpl > 3) return { ok: false, code: 'malformed', message: 'the report VMPL is not 0..3' };
  const signerInfo = u32(0x48);
  const key = (signerInfo >> 2) & 0b111;
  if (key > 1) return { ok: false, code: 'unsupported_algorithm', message: 'the report is signed by neither a VCEK nor a VLEK' };

  const r = scalar(bytes, SIGNED_LENGTH);
  const s = scalar(bytes, SIGNED_LENGTH + COMPONENT_LENGTH);
  return {
    ok: true,
    report: {
      version,
      guestSvn: u32(0x04),
      policy: view.getBigUint64(0x08, true),
      familyId: field(0x10, 16),
      imageId: field(0x20, 16),
      vmpl,
      maskChipId: (signerInfo & 0b10) !== 0,
      signingKey: key === 0 ? 'vcek' : 'vlek',
      reportData: field(0x50, 64),
      measurement: field(0x90, 48),
      hostData: field(0xc0, 32),
      idKeyDigest: field(0xe0, 48),
      authorKeyDigest: field(0x110, 48),
      reportId: field(0x140, 32),
      reportedTcb: field(0x180, 8),
      cpuidFamily: version >= 3 ? bytes[0x188] : 0,
      cpuidModel: version >= 3 ? bytes[0x189] : 0,
      chipId: field(0x1a0, 64),
      signed: bytes.subarray(0, SIGNED_LENGTH),
      signature: r && s ? Buffer.concat([r, s]) : undefined,
    },
  };
}
