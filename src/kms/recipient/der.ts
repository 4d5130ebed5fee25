/** The few DER (X.690) encoders CMS EnvelopedData needs; constructed values take encoded children. */
export function tlv(tag: number, content: Uint8Array): Buffer {
  const n = content.length;
  let len: number[];
  if (n < 0x80) len = [n];
  else {
    len = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) len.unshift(v & 0xff);
    len.unshift(0x80 | len.length);
  }
  return Buffer.concat([Uint8Array.of(tag, ...len), content]);
}

export const sequence = (...children: Uint8Array[]) => tlv(0x30, Buffer.concat(children));
export const set = (...children: Uint8Array[]) => tlv(0x31, Buffer.concat(children));
export const octetString = (bytes: Uint8Array) => tlv(0x04, bytes);
export const nullValue = () => Buffer.from([0x05, 0x00]);
export const smallInteger = (n: number) => tlv(0x02, Uint8Array.of(n));
/** [n] EXPLICIT (constructed, context-specific). */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);
/** [n] IMPLICIT on a primitive type (context-specific, primitive). */
export const implicitPrimitive = (n: number, content: Uint8Array) => tlv(0x80 | n, content);

export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const chunk: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}
