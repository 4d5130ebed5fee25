/**
 * A linear scan of a JSON body's bytes before it is parsed: refuses nesting deeper than the limit
 * (400) and more object members plus array elements than the limit (413). JSON.parse, the audit
 * hash walker and the formatters all recurse and allocate per value, so an over-deep body would
 * exhaust the stack and a body of millions of tiny values would hold the event loop for seconds;
 * this scan costs one pass without allocating. Strings are skipped with a native search for their
 * closing quote. Malformed JSON passes through: JSON.parse reports it.
 */
import { SealtrailError, invalid } from '../errors/index.js';

export interface JsonShapeLimits {
  maxDepth: number;
  maxEntries: number;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The index of the quote closing the string opened at `open`, or -1. */
function closingQuote(body: Uint8Array, open: number): number {
  let at = open;
  for (;;) {
    at = body.indexOf(QUOTE, at + 1);
    if (at < 0) return -1;
    let slashes = 0;
    while (body[at - 1 - slashes] === BACKSLASH) slashes++;
    if (slashes % 2 === 0) return at;
  }
}

export function checkJsonShape(body: Uint8Array, limits: JsonShapeLimits): void {
  let depth = 0;
  let entries = 0;
  // True right after `{` or `[`: the next value, if any, is the container's first entry.
  let opened = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || c === 0x3a) continue; // whitespace, ':'
    if (c === 0x7d || c === 0x5d) { // } ]
      depth--;
      opened = false;
      continue;
    }
    if (c === 0x2c) { // ,
      if (++entries > limits.maxEntries) throw tooManyEntries(limits.maxEntries);
      continue;
    }
    if (opened) {
      opened = false;
      if (++entries > limits.maxEntries) throw tooManyEntries(limits.maxEntries);
    }
    if (c === 0x7b || c === 0x5b) { // { [
      if (++depth > limits.maxDepth) throw invalid(`request JSON nests deeper than ${limits.maxDepth} levels`, 'json_too_deep');
      opened = true;
    } else if (c === QUOTE) {
      i = closingQuote(body, i);
      if (i < 0) return;
    }
  }
}

function tooManyEntries(max: number): SealtrailError {
  return new SealtrailError('too_large', 'json_too_many_entries', `request JSON has more than ${max} object members and array elements`);
}
