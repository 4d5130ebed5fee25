/**
 * Strict base64 for what callers send as base64 text (capsules, attestation evidence,
 * certificates): the standard alphabet, `=` padding only at the end and a length that
 * is a multiple of 4 — what `^[A-Za-z0-9+/]*={0,2}$` accepts — decoded without a pass of our own
 * over a multi-megabyte string. Node's decoder skips or stops at any other character, so such a
 * character always leaves fewer bytes than the length promises; what it would accept besides the
 * standard alphabet (the URL-safe `-` and `_`, and characters past ASCII, which it reads by their
 * low byte) is ruled out by native scans first.
 */

/** The decoded bytes, or undefined when `s` is not strict base64. */
export function decodeStrictBase64(s: string): Buffer | undefined {
  if (s.length % 4 !== 0) return undefined;
  // One byte per character in UTF-8 means every character is ASCII.
  if (Buffer.byteLength(s, 'utf8') !== s.length || s.includes('-') || s.includes('_')) return undefined;
  const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(s, 'base64');
  return bytes.length === (s.length / 4) * 3 - padding ? bytes : undefined;
}

/**
 * Strict base64 as pasted: possibly wrapped or indented, ASCII whitespace (space, tab, CR, LF, VT,
 * FF) anywhere is dropped. Whitespace never decodes strictly (it leaves fewer bytes than the length
 * promises), so unwrapped text is decoded without a copy; wrapped text is copied once, byte by
 * byte (a global regex replace takes ~200 ms on a megabyte of " A" pairs).
 */
export function decodeWrappedBase64(s: string): Buffer | undefined {
  const direct = decodeStrictBase64(s);
  if (direct || Buffer.byteLength(s, 'utf8') !== s.length) return direct;
  const bytes = Buffer.from(s, 'latin1');
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (c !== 0x20 && (c < 0x09 || c > 0x0d)) bytes[n++] = c;
  }
  return decodeStrictBase64(bytes.toString('latin1', 0, n));
}

/** The largest text that can be base64 of at most `maxBytes` bytes, wrapped as PEM or MIME is. */
export function maxBase64Chars(maxBytes: number): number {
  const plain = Math.ceil(maxBytes / 3) * 4;
  // A line break (CR LF) every 64 characters, and some indentation, is far below doubling.
  return plain * 2;
}
