/**
 * How deep a JSON text nests, found before it is parsed. JSON.parse keeps a frame per open object
 * or array until the text ends: 16 MiB of `[` took ~1 GB and 10 s before it failed, where this scan
 * takes milliseconds and allocates nothing. A reader that knows how deep its input can legitimately
 * nest refuses a deeper text here, then parses it. The text need not be valid JSON (JSON.parse
 * judges that).
 */
import { BACKSLASH, CLOSE_ARRAY, CLOSE_OBJECT, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './json-chars.js';

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
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > max) return true;
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
