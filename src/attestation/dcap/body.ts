/**
 * The report bodies a DCAP quote carries, by fixed offsets: the SGX enclave report (384 bytes;
 * also the QE report) and the TD report (TDX 1.0, 584 bytes; TDX 1.5 adds TEE_TCB_SVN2 and
 * MRSERVICETD, 648 bytes). Views into the quote, not copies.
 */
export interface SgxReportBody {
  cpuSvn: Uint8Array;
  /** MISCSELECT as a number (little-endian in the report). */
  miscSelect: number;
  attributes: Uint8Array;
  mrEnclave: Uint8Array;
  mrSigner: Uint8Array;
  isvProdId: number;
  isvSvn: number;
  reportData: Uint8Array;
}

export interface TdReportBody {
  teeTcbSvn: Uint8Array;
  mrSeam: Uint8Array;
  mrSignerSeam: Uint8Array;
  seamAttributes: Uint8Array;
  tdAttributes: Uint8Array;
  xfam: Uint8Array;
  mrTd: Uint8Array;
  mrConfigId: Uint8Array;
  mrOwner: Uint8Array;
  mrOwnerConfig: Uint8Array;
  rtmrs: [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  reportData: Uint8Array;
  /** TDX 1.5 only. */
  teeTcbSvn2?: Uint8Array;
  mrServiceTd?: Uint8Array;
}

const u16le = (b: Uint8Array, at: number) => b[at] | (b[at + 1] << 8);

/** `bytes` must be 384 bytes (the quote parser guarantees it). */
export function parseSgxReport(bytes: Uint8Array): SgxReportBody {
  const at = (offset: number, length: number) => bytes.subarray(offset, offset + length);
  return {
    cpuSvn: at(0, 16),
    miscSelect: (u16le(bytes, 16) | (u16le(bytes, 18) << 16)) >>> 0,
    attributes: at(48, 16),
    mrEnclave: at(64, 32),
    mrSigner: at(128, 32),
    isvProdId: u16le(bytes, 256),
    isvSvn: u16le(bytes, 258),
    reportData: at(320, 64),
  };
}

/** `bytes` must be 584 or 648 bytes (the quote parser guarantees it). */
export function parseTdReport(bytes: Uint8Array): TdReportBody {
  const at = (offset: number, length: number) => bytes.subarray(offset, offset + length);
  const body: TdReportBody = {
    teeTcbSvn: at(0, 16),
    mrSeam: at(16, 48),
    mrSignerSeam: at(64, 48),
    seamAttributes: at(112, 8),
    tdAttributes: at(120, 8),
    xfam: at(128, 8),
    mrTd: at(136, 48),
    mrConfigId: at(184, 48),
    mrOwner: at(232, 48),
    mrOwnerConfig: at(280, 48),
    rtmrs: [at(328, 48), at(376, 48), at(424, 48), at(472, 48)],
    reportData: at(520, 64),
  };
  if (bytes.length >= 648) {
    body.teeTcbSvn2 = at(584, 16);
    body.mrServiceTd = at(600, 48);
  }
  return body;
}

/** SGX ATTRIBUTES.FLAGS bit 1: the enclave runs in debug mode. */
export const sgxDebug = (report: SgxReportBody): boolean => (report.attributes[0] & 0x02) !== 0;

/** TD_ATTRIBUTES bit 0 (TUD.DEBUG): the TD runs in debug mode. */
export const tdDebug = (report: TdReportBody): boolean => (report.tdAttributes[0] & 0x01) !== 0;
