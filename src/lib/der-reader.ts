/**
 * A minimal DER reader (ITU-T X.690): walks TLVs so the attestation verifiers can reach what
 * node:crypto's X509Certificate does not expose — certificate extensions by OID, and CRLs (their
 * signed bytes, signature and revoked serials). Definite lengths only, as DER requires; every read
 * is bounds-checked and throws DerError on malformed input, never reads past its buffer.
 */
export class DerError extends Error {}

export interface Tlv {
  tag: number;
  /** The value bytes (a view into the input, not a copy). */
  content: Uint8Array;
  /** The whole TLV: tag, length and content. */
  raw: Uint8Array;
}

/** Nesting deeper than this is refused: no X.509 structure comes close. */
const MAX_DEPTH = 32;

/** Reads one TLV at `offset`; returns it and the offset just past it. */
export function readTlv(bytes: Uint8Array, offset = 0): { tlv: Tlv; next: number } {
  if (offset + 2 > bytes.length) throw new DerError('truncated DER value');
  const tag = bytes[offset];
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte DER tags are not supported');
  let length = bytes[offset + 1];
  let start = offset + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new DerError('unsupported DER length');
    if (start + count > bytes.length) throw new DerError('truncated DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start + i];
    start += count;
  }
  const end = start + length;
  if (end > bytes.length) throw new DerError('DER value runs past its container');
  return { tlv: { tag, content: bytes.subarray(start, end), raw: bytes.subarray(offset, end) }, next: end };
}

/** The single TLV that makes up `bytes` (trailing bytes are an error). */
export function parseDer(bytes: Uint8Array): Tlv {
  const { tlv, next } = readTlv(bytes, 0);
  if (next !== bytes.length) throw new DerError('trailing bytes after DER value');
  return tlv;
}

/** The children of a constructed value, in order. */
export function children(tlv: Tlv, depth = 0): Tlv[] {
  if (depth > MAX_DEPTH) throw new DerError('DER nesting too deep');
  if (!(tlv.tag & 0x20)) throw new DerError('expected a constructed DER value');
  const out: Tlv[] = [];
  for (let offset = 0; offset < tlv.content.length;) {
    const { tlv: child, next } = readTlv(tlv.content, offset);
    out.push(child);
    offset = next;
  }
  return out;
}

export function expectTag(tlv: Tlv, tag: number, what: string): Tlv {
  if (tlv.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${tlv.tag.toString(16)}`);
  return tlv;
}

/** OBJECT IDENTIFIER content → dotted text. */
export function oidText(tlv: Tlv): string {
  expectTag(tlv, 0x06, 'OBJECT IDENTIFIER');
  const b = tlv.content;
  if (b.length === 0) throw new DerError('empty OBJECT IDENTIFIER');
  const arcs: number[] = [];
  let value = 0;
  for (let i = 0; i < b.length; i++) {
    value = value * 128 + (b[i] & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError('OBJECT IDENTIFIER arc too large');
    if (!(b[i] & 0x80)) {
      if (arcs.length === 0) arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      else arcs.push(value);
      value = 0;
    } else if (i === b.length - 1) throw new DerError('truncated OBJECT IDENTIFIER');
  }
  return arcs.join('.');
}

/** A non-negative INTEGER as a bigint (the encoding's sign bit must be clear). */
export function unsignedBigInt(tlv: Tlv): bigint {
  expectTag(tlv, 0x02, 'INTEGER');
  if (tlv.content.length === 0) throw new DerError('empty INTEGER');
  if (tlv.content[0] & 0x80) throw new DerError('negative INTEGER');
  let n = 0n;
  for (const byte of tlv.content) n = (n << 8n) | BigInt(byte);
  return n;
}

export function smallUnsigned(tlv: Tlv): number {
  const n = unsignedBigInt(tlv);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new DerError('INTEGER too large');
  return Number(n);
}

/** INTEGER content bytes as lower-case hex (a serial number's canonical form, sign byte dropped). */
export function integerHex(tlv: Tlv): string {
  expectTag(tlv, 0x02, 'INTEGER');
  let c = tlv.content;
  while (c.length > 1 && c[0] === 0) c = c.subarray(1);
  return Buffer.from(c).toString('hex');
}

/** BIT STRING content without its unused-bits byte (which must be 0 for keys and signatures). */
export function bitStringBytes(tlv: Tlv): Uint8Array {
  expectTag(tlv, 0x03, 'BIT STRING');
  if (tlv.content.length === 0 || tlv.content[0] !== 0) throw new DerError('BIT STRING with unused bits');
  return tlv.content.subarray(1);
}

/** UTCTime / GeneralizedTime → ms since the epoch (RFC 5280 forms: seconds, "Z"). */
export function timeMs(tlv: Tlv): number {
  const text = Buffer.from(tlv.content).toString('latin1');
  let m: RegExpExecArray | null;
  if (tlv.tag === 0x17 && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    const yy = Number(m[1]);
    return Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  if (tlv.tag === 0x18 && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text))) {
    return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
  }
  throw new DerError('unsupported time encoding');
}
