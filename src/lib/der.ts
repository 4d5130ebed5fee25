/**
 * A minimal DER encoder (ITU-T X.690): what an X.509 v3 certificate (development enclave CA) and
 * CMS EnvelopedData (KMS Recipient responses) need, and nothing more. Every function returns the
 * complete TLV; constructed values take already-encoded children.
 */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let len: number[];
  if (n < 0x80) len = [n];
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    len = [0x80 | bytes.length, ...bytes];
  }
  return Buffer.concat([Uint8Array.of(tag, ...len), content]);
}

export const sequence = (...children: Uint8Array[]) => tlv(0x30, Buffer.concat(children));
export const set = (...children: Uint8Array[]) => tlv(0x31, Buffer.concat(children));
export const boolean = (value: boolean) => tlv(0x01, Uint8Array.of(value ? 0xff : 0x00));
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const nullValue = () => Buffer.from([0x05, 0x00]);
export const utf8String = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));
export const printableString = (text: string) => tlv(0x13, Buffer.from(text, 'ascii'));
/** BIT STRING with `unusedBits` padding bits in the last byte. */
export const bitString = (bytes: Uint8Array, unusedBits = 0) => tlv(0x03, Buffer.concat([Uint8Array.of(unusedBits), bytes]));
/** [n] EXPLICIT: a constructed context-specific wrapper. */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);
/** [n] IMPLICIT primitive: the content with a context-specific tag. */
export const implicitPrimitive = (n: number, content: Uint8Array) => tlv(0x80 | n, content);

/** INTEGER from unsigned big-endian bytes (a leading 0x00 is added when the high bit is set). */
export function unsignedInteger(bytes: Uint8Array): Buffer {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const trimmed = bytes.subarray(i);
  return tlv(0x02, trimmed[0] & 0x80 ? Buffer.concat([Uint8Array.of(0), trimmed]) : trimmed);
}

export const smallInteger = (n: number) => unsignedInteger(Uint8Array.of(n));

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [];
  // The first two arcs share one base-128 subidentifier, which exceeds one byte from 2.48 on.
  for (const arc of [40 * arcs[0] + arcs[1], ...arcs.slice(2)]) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

/** X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
export function time(ms: number): Buffer {
  const iso = new Date(Math.floor(ms / 1000) * 1000).toISOString(); // 2024-11-14T23:46:27.000Z
  const digits = iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z';     // 20241114234627Z
  const year = Number(iso.slice(0, 4));
  return year < 2050 ? tlv(0x17, Buffer.from(digits.slice(2), 'ascii')) : tlv(0x18, Buffer.from(digits, 'ascii'));
}
