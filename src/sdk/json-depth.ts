/**
 * How deep an answer's JSON nests, found before it is parsed: JSON.parse holds memory for every
 * level it has open, so 50 MiB of `[` (51 KB gzipped on the wire) took 2.9 GB before it failed.
 * The SDK imports nothing of the server's code (it is the client others embed), so this is its own
 * copy of src/lib/json-depth.ts; test/sdk/json-depth.test.ts checks that both agree.
 */
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** Whether `text` nests deeper than `max` levels of objects and arrays (outside strings). */
export function nestsDeeper(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      // Past the string: a quote preceded by an even run of backslashes closes it.
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === 0x5b || c === 0x7b) { // [ {
      if (++depth > max) return true;
    } else if (c === 0x5d || c === 0x7d) { // ] }
      depth--;
    }
  }
  return false;
}
