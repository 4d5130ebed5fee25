/**
 * Strict base64 for capsules: the standard alphabet, `=` padding only at the end and a length that
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
 * A capsule as pasted: strict base64, possibly wrapped or indented (whitespace anywhere is
 * dropped). Whitespace never decodes strictly (it leaves fewer bytes than the length promises), so
 * the usual unwrapped capsule is decoded without first copying a multi-megabyte string.
 */
export function decodeCapsuleBase64(s: string): Buffer | undefined {
  return decodeStrictBase64(s) ?? decodeStrictBase64(s.replace(/\s+/g, ''));
}
