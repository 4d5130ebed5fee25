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

/** The text whose range holds `at`: the last start at or before it, searched from `from` on. */
function textAt(starts: Int32Array, at: number, from: number): number {
  // Hits mostly come in order and close together: try the next few texts before bisecting.
  for (let i = from, stop = Math.min(from + 8, starts.length); i < stop; i++) {
    if (starts[i] <= at && (i + 1 === starts.length || starts[i + 1] > at)) return i;
  }
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The texts joined, each followed by the separator, and where each starts. */
function joinTexts(texts: readonly string[]): { joined: string; starts: Int32Array } {
  const starts = new Int32Array(texts.length);
  // Joined by `+=` (a rope the first scan flattens): Array.join is several times slower here.
  let joined = '';
  for (let i = 0; i < texts.length; i++) {
    starts[i] = joined.length;
    joined += texts[i] + SEPARATOR;
  }
  return { joined, starts };
}

type TagOf = (tagName: string, detector: Detector) => readonly Tag[];

function addHits(found: Array<Span[] | undefined>, detector: Detector, joined: string, starts: Int32Array, texts: readonly string[], tagOf: TagOf): void {
  const hits = detector.find(joined);
  let i = 0;
  let tagName = '';
  let tags: Tag[] = [];
  for (let j = 0; j < hits.length; j++) {
    const hit = hits[j];
    i = textAt(starts, hit.start, i);
    const base = starts[i];
    if (hit.end > base + texts[i].length) throw new Error(`detector ${detector.name} matched across texts`);
    if (hit.tagName !== tagName) {
      tagName = hit.tagName;
      tags = tagOf(tagName, detector) as Tag[];
    }
    const span: Span = { start: hit.start - base, end: hit.end - base, tags };
    const list = found[i];
    if (list) list.push(span);
    else found[i] = [span];
  }
}

/**
 * Each detector's hits, per text (undefined for a text without any), in detector order and within
 * a detector in the order it finds them; offsets are relative to the text. `tagOf` gives the tag
 * list for a detector's tag name (shared by every hit: spans are never changed in place).
 */
export function detectInTexts(detectors: readonly Detector[], texts: readonly string[], tagOf: TagOf): Array<Span[] | undefined> {
  const found = new Array<Span[] | undefined>(texts.length);
  if (detectors.length === 0 || texts.length === 0) return found;
  // Small functions, one loop each, so that each is optimized whole rather than on stack mid-loop.
  const { joined, starts } = joinTexts(texts);
  for (const detector of detectors) addHits(found, detector, joined, starts, texts, tagOf);
  return found;
}
