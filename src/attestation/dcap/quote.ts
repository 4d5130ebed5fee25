/**
 * The Intel DCAP quote layout (ECDSA quotes v3, v4 and v5), read by declared lengths: header,
 * body, then the ECDSA signature data with the QE report and the PCK certificate chain. Bytes past
 * the declared signature data are ignored (real quotes carry zero padding); a declared length that
 * runs past the buffer is malformed. Parsing only: nothing here is trusted yet.
 */
export const TEE_SGX = 0x00;
export const TEE_TDX = 0x81;
export const ATT_KEY_ECDSA_P256 = 2;
export const HEADER_BYTES = 48;
export const SGX_REPORT_BYTES = 384;
export const TD10_BODY_BYTES = 584;
export const TD15_BODY_BYTES = 648;
/** v5 body descriptor types: 1 = SGX report, 2 = TD 1.0 report, 3 = TD 1.5 report. */
const V5_BODY_BYTES: Record<number, number> = { 1: SGX_REPORT_BYTES, 2: TD10_BODY_BYTES, 3: TD15_BODY_BYTES };
const CERT_PCK_CHAIN_PEM = 5;
const CERT_QE_REPORT = 6;
/** Real quotes are about 5 KiB; anything this large is not a quote. */
export const MAX_QUOTE_BYTES = 128 * 1024;

export interface DcapQuote {
  version: 3 | 4 | 5;
  teeType: number;
  /** 1 SGX report, 2 TD 1.0, 3 TD 1.5 (v3/v4 imply 1 or 2 from the TEE type). */
  bodyType: number;
  body: Uint8Array;
  /** Header and body (with the v5 descriptor): what the attestation key signs. */
  signedBytes: Uint8Array;
  /** ECDSA P-256 r||s. */
  signature: Uint8Array;
  /** Uncompressed P-256 point without its 0x04 prefix (x||y). */
  attestationKey: Uint8Array;
  qeReport: Uint8Array;
  qeReportSignature: Uint8Array;
  qeAuthData: Uint8Array;
  /** The PEM text of the PCK chain (leaf first). */
  pckChainPem: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

class QuoteError extends Error {}

/** A cursor that refuses to read past `end`. */
class Cursor {
  constructor(private readonly bytes: Uint8Array, public offset: number, private readonly end: number) {}
  take(n: number, what: string): Uint8Array {
    if (n > this.end - this.offset) throw new QuoteError(`${what} runs past the end of the quote`);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u16(what: string): number {
    const b = this.take(2, what);
    return b[0] | (b[1] << 8);
  }
  u32(what: string): number {
    const b = this.take(4, what);
    return (b[0] | (b[1] << 8) | (b[2] << 16)) + b[3] * 0x1000000;
  }
  sub(n: number, what: string): Cursor {
    const start = this.offset;
    this.take(n, what);
    return new Cursor(this.bytes, start, start + n);
  }
}

function certificationData(c: Cursor): { type: number; data: Uint8Array } {
  const type = c.u16('certification data type');
  const size = c.u32('certification data size');
  return { type, data: c.take(size, 'certification data') };
}

function pckChainOf(cert: { type: number; data: Uint8Array }): string {
  if (cert.type !== CERT_PCK_CHAIN_PEM) throw new QuoteError(`certification data type ${cert.type} is not a PCK certificate chain (5)`);
  return Buffer.from(cert.data).toString('latin1');
}

function bodyType(version: number, teeType: number, c: Cursor): number {
  if (version === 5) return c.u16('body type');
  return teeType === TEE_TDX ? 2 : 1;
}

function parse(bytes: Uint8Array): DcapQuote {
  const c = new Cursor(bytes, 0, bytes.length);
  const header = c.take(HEADER_BYTES, 'header');
  const version = header[0] | (header[1] << 8);
  const keyType = header[2] | (header[3] << 8);
  const teeType = (header[4] | (header[5] << 8) | (header[6] << 16)) + header[7] * 0x1000000;
  if (version !== 3 && version !== 4 && version !== 5) throw new QuoteError(`quote version ${version} is not supported (3, 4, 5)`);
  if (keyType !== ATT_KEY_ECDSA_P256) throw new QuoteError('the attestation key type is not ECDSA P-256 (2)');
  if (teeType !== TEE_SGX && teeType !== TEE_TDX) throw new QuoteError('the TEE type is neither SGX (0) nor TDX (0x81)');
  if (version === 3 && teeType !== TEE_SGX) throw new QuoteError('a version 3 quote must be an SGX quote');
  const type = bodyType(version, teeType, c);
  const declared = version === 5 ? c.u32('body size') : undefined;
  const size = V5_BODY_BYTES[type];
  if (size === undefined || (declared !== undefined && declared !== size)) throw new QuoteError('the quote body type or size is not a known one');
  if ((type === 1) !== (teeType === TEE_SGX)) throw new QuoteError('the quote body type does not match the TEE type');
  const body = c.take(size, 'quote body');
  const signedBytes = bytes.subarray(0, c.offset);

  const sig = c.sub(c.u32('signature data length'), 'signature data');
  const signature = sig.take(64, 'quote signature');
  const attestationKey = sig.take(64, 'attestation key');
  // v3 carries the QE report directly; v4/v5 wrap it in certification data type 6.
  let qe = sig;
  if (version !== 3) {
    const outer = certificationData(sig);
    if (outer.type !== CERT_QE_REPORT) throw new QuoteError(`certification data type ${outer.type} is not QE report data (6)`);
    qe = new Cursor(outer.data, 0, outer.data.length);
  }
  const qeReport = qe.take(SGX_REPORT_BYTES, 'QE report');
  const qeReportSignature = qe.take(64, 'QE report signature');
  const qeAuthData = qe.take(qe.u16('QE authentication data size'), 'QE authentication data');
  const pckChainPem = pckChainOf(certificationData(qe));
  return { version, teeType, bodyType: type, body, signedBytes, signature, attestationKey, qeReport, qeReportSignature, qeAuthData, pckChainPem };
}

export function parseQuote(bytes: Uint8Array): Parsed<DcapQuote> {
  if (bytes.length > MAX_QUOTE_BYTES) return { ok: false, message: `the quote is larger than ${MAX_QUOTE_BYTES} bytes` };
  try {
    return { ok: true, value: parse(bytes) };
  } catch (err) {
    if (err instanceof QuoteError) return { ok: false, message: err.message };
    throw err;
  }
}
