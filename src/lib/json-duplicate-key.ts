/**
 * The first key that appears twice in one object of a JSON text, or undefined. JSON.parse keeps
 * the last of repeated keys without a word; where a repeated key would silently drop what the
 * text shows (a policy's second `path` block), the text is refused instead. Keys are compared
 * decoded (`"\u0061"` is `"a"`). The text must be valid JSON (parse it first).
 */
import { CLOSE_ARRAY, CLOSE_OBJECT, COLON, COMMA, OPEN_ARRAY, OPEN_OBJECT, QUOTE } from './json-chars.js';
import { closingQuote } from './json-parse-kept.js';

export function duplicateJsonKey(text: string): string | undefined {
  // One entry per open container: the keys seen in an object, null for an array.
  const open: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = closingQuote(text, i);
      const keys = open[open.length - 1];
      if (expectKey && keys) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (keys.has(key)) return key;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_OBJECT) {
      open.push(new Set());
      expectKey = true;
    } else if (c === OPEN_ARRAY) {
      open.push(null);
      expectKey = false;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      open.pop();
      expectKey = false;
    } else if (c === COMMA) {
      expectKey = open[open.length - 1] != null;
    } else if (c === COLON) {
      expectKey = false;
    }
  }
  return undefined;
}
