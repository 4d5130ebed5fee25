/**
 * Runs the built-in detectors over many texts at once: the texts are joined with a separator in
 * batches and each detector scans a batch once, instead of once per text (a table has tens of
 * thousands of short cells, and a call per cell per detector costs more than the scanning itself).
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
import { foldForDetection } from './fold.js';

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

/**
 * Texts are scanned in batches of about this many characters: a string of a megabyte or more costs
 * far more to make than the same text in ordinary-sized pieces, and one batch is still long enough
 * that a detector's per-call cost disappears in it.
 */
const BATCH_CHARS = 64 * 1024;

/** The texts `[from, to)` joined, each followed by the separator, and where each starts (from `from`). */
function joinTexts(texts: readonly string[], from: number, to: number): { joined: string; starts: Int32Array } {
  const starts = new Int32Array(to - from);
  // Joined by `+=` (a rope the first scan flattens): Array.join is several times slower here.
  let joined = '';
  for (let i = from; i < to; i++) {
    starts[i - from] = joined.length;
    joined += texts[i] + SEPARATOR;
  }
  return { joined, starts };
}

/** Where the batch starting at text `from` ends: at least one text, about BATCH_CHARS long. */
function batchEnd(texts: readonly string[], from: number): number {
  let chars = 0;
  let to = from;
  while (to < texts.length && (to === from || chars + texts[to].length <= BATCH_CHARS)) chars += texts[to++].length + SEPARATOR.length;
  return to;
}

type TagOf = (tagName: string, detector: Detector) => readonly Tag[];

/**
 * Hits of every detector over every text, kept as numbers in typed arrays (not objects or plain
 * arrays: a large table has tens of thousands, and what lives through the whole scan on the
 * JavaScript heap is what the garbage collector copies and marks).
 */
class HitList {
  length = 0;
  text = new Int32Array(1024);
  start = new Int32Array(1024);
  end = new Int32Array(1024);
  /** Index into `tagLists`: the few distinct lists of the detectors' tags. */
  tags = new Int32Array(1024);
  readonly tagLists: Array<readonly Tag[]> = [];

  push(text: number, start: number, end: number, tags: number): void {
    if (this.length === this.text.length) this.grow();
    const i = this.length++;
    this.text[i] = text;
    this.start[i] = start;
    this.end[i] = end;
    this.tags[i] = tags;
  }

  private grow(): void {
    const grown = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.text = grown(this.text);
    this.start = grown(this.start);
    this.end = grown(this.end);
    this.tags = grown(this.tags);
  }
}

/** A detector's hits in one batch (texts from `from` on, `starts` relative to it). */
function addHits(out: HitList, detector: Detector, joined: string, starts: Int32Array, from: number, texts: readonly string[], tagOf: TagOf): void {
  const hits = detector.find(joined);
  let i = 0;
  let tagName = '';
  let tags = -1;
  for (let j = 0; j < hits.length; j++) {
    const hit = hits[j];
    i = textAt(starts, hit.start, i);
    const base = starts[i];
    if (hit.end > base + texts[from + i].length) throw new Error(`detector ${detector.name} matched across texts`);
    if (hit.tagName !== tagName) {
      tagName = hit.tagName;
      const list = tagOf(tagName, detector);
      tags = out.tagLists.indexOf(list);
      if (tags < 0) tags = out.tagLists.push(list) - 1;
    }
    out.push(from + i, hit.start - base, hit.end - base, tags);
  }
}

/** Each text's hits, in detector order and within a detector in the order it found them. */
export interface Detected {
  /** The spans of text `i` (offsets relative to it), new objects; undefined for a text without hits. */
  spansOf(i: number): Span[] | undefined;
}

/** Groups hits by text, keeping their order (a counting sort). */
function byText(hits: HitList, texts: number): Detected {
  const first = new Int32Array(texts + 1);
  for (let h = 0; h < hits.length; h++) first[hits.text[h] + 1]++;
  for (let i = 0; i < texts; i++) first[i + 1] += first[i];
  const next = first.slice(0, texts);
  const order = new Int32Array(hits.length);
  for (let h = 0; h < hits.length; h++) order[next[hits.text[h]]++] = h;
  return {
    spansOf(i) {
      if (first[i] === first[i + 1]) return undefined;
      const spans: Span[] = [];
      for (let k = first[i]; k < first[i + 1]; k++) {
        const h = order[k];
        spans.push({ start: hits.start[h], end: hits.end[h], tags: hits.tagLists[hits.tags[h]] as Tag[] });
      }
      return spans;
    },
  };
}

/**
 * Every detector's hits over `texts`, read as fold.ts folds them (offsets are the same).
 * `tagOf` gives the tag list for a detector's tag name,
 * shared by every hit: spans are never changed in place.
 */
export function detectInTexts(detectors: readonly Detector[], texts: readonly string[], tagOf: TagOf): Detected {
  const hits = new HitList();
  // Small functions, one loop each, so that each is optimized whole rather than on stack mid-loop.
  for (let from = 0; from < texts.length && detectors.length > 0;) {
    const to = batchEnd(texts, from);
    const { joined, starts } = joinTexts(texts, from, to);
    const folded = foldForDetection(joined);
    for (const detector of detectors) addHits(hits, detector, folded, starts, from, texts, tagOf);
    from = to;
  }
  return byText(hits, texts.length);
}
