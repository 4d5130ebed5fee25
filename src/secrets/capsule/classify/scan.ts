/**
 * Runs the built-in detectors over many texts at once: the texts are joined with a separator and
 * each detector scans the whole once, instead of once per text (a table has tens of thousands of
 * short cells, and a call per cell per detector costs more than the scanning itself).
 *
 * This finds exactly what scanning each text alone finds, because no detector pattern matches a
 * line feed and every pattern treats one as it treats the start or end of a text (its lookarounds
 * and `\b` only ask for "not a word character, digit, dot, dash, colon, `+` or `@`"); the separator
 * is two line feeds so that no word can seem adjacent to one in the next text (the person-name
 * detector pairs adjacent words). Detectors must keep to that (test/secrets/capsule/detectors.test.ts).
 */
import type { Span } from '../records.js';
import type { Tag } from '../tags.js';
import type { Detector } from './detectors.js';

export const SEPARATOR = '\n\n';

/** The text whose range holds `at`: the last start at or before it. */
function textAt(starts: Int32Array, at: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Each detector's hits, per text (undefined for a text without any), in detector order and within
 * a detector in the order it finds them; offsets are relative to the text. `tagOf` gives the tag
 * list for a detector's tag name (shared by every hit: spans are never changed in place).
 */
export function detectInTexts(detectors: readonly Detector[], texts: readonly string[], tagOf: (tagName: string, detector: Detector) => readonly Tag[]): Array<Span[] | undefined> {
  const found = new Array<Span[] | undefined>(texts.length);
  if (detectors.length === 0 || texts.length === 0) return found;
  const starts = new Int32Array(texts.length);
  let at = 0;
  for (let i = 0; i < texts.length; i++) {
    starts[i] = at;
    at += texts[i].length + SEPARATOR.length;
  }
  const joined = texts.join(SEPARATOR);
  for (const detector of detectors) {
    const hits = detector.find(joined);
    for (let j = 0; j < hits.length; j++) {
      const hit = hits[j];
      const i = textAt(starts, hit.start);
      const base = starts[i];
      if (hit.end > base + texts[i].length) throw new Error(`detector ${detector.name} matched across texts`);
      const span: Span = { start: hit.start - base, end: hit.end - base, tags: tagOf(hit.tagName, detector) as Tag[] };
      const list = found[i];
      if (list) list.push(span);
      else found[i] = [span];
    }
  }
  return found;
}
