/**
 * Key-range helpers for prefix scans. SQLite compares TEXT with the BINARY collation (memcmp of the
 * UTF-8 bytes), and UTF-8 preserves code point order and is prefix-free, so every key starting with
 * `p` lies in the half-open range [p, successor(p)).
 */

/**
 * The smallest string greater than every string that starts with `prefix`, or undefined when there
 * is none we can express (empty prefix, or a prefix ending in U+10FFFF) and the scan must be
 * bounded by a `startsWith` check instead.
 */
export function prefixSuccessor(prefix: string): string | undefined {
  if (prefix === '') return undefined;
  const lastUnit = prefix.charCodeAt(prefix.length - 1);
  const isLowSurrogate = lastUnit >= 0xdc00 && lastUnit <= 0xdfff;
  const start = isLowSurrogate ? prefix.length - 2 : prefix.length - 1;
  const cp = start >= 0 ? prefix.codePointAt(start)! : lastUnit;
  // Lone surrogates have no UTF-8 form; the maximum code point has no successor.
  if (isLowSurrogate && cp <= 0xffff) return undefined;
  if ((cp >= 0xd800 && cp <= 0xdfff) || cp >= 0x10ffff) return undefined;
  // Surrogate code points are not valid in UTF-8; jump over their range.
  const next = cp + 1 === 0xd800 ? 0xe000 : cp + 1;
  return prefix.slice(0, start) + String.fromCodePoint(next);
}

/** The first key of the range after folder `folder` (which ends in "/") and all its descendants. */
export function afterFolder(folder: string): string {
  // '/' is 0x2F and '0' is 0x30: nothing sorts between "x/…" and "x0".
  return folder.slice(0, -1) + '0';
}
