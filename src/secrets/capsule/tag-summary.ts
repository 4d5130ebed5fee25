/**
 * Tag summaries for the access log: every tag=value under `unique_tags` with its occurrences while
 * its name has at most 10 distinct values; above that the name moves to `elided_tags` with only
 * counts, so a high-cardinality tag (one id per row) cannot flood the log. Unary tags have no
 * value, hence one distinct value, and are never elided.
 */
import { tagKey, type Tag } from './tags.js';

export const MAX_DISTINCT_VALUES = 10;

export interface TagSummary {
  unique_tags: Array<{ tag: Tag; occurrences: number }>;
  elided_tags: Array<{ name: string; type: string; distinct_values: number; occurrences: number }>;
}

export function summarizeTags(tags: readonly Tag[], maxDistinct = MAX_DISTINCT_VALUES): TagSummary {
  // Counted by object first: a table's tags are a few shared objects repeated on every row, so
  // each distinct object's key is built once.
  const counts = new Map<Tag, number>();
  for (const tag of tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return summarizeTagCounts(counts, maxDistinct);
}

/**
 * summarizeTags from occurrences already counted by tag object. Objects come in order of first
 * occurrence, so the tag kept for each key is the first one seen.
 */
export function summarizeTagCounts(counts: ReadonlyMap<Tag, number>, maxDistinct = MAX_DISTINCT_VALUES): TagSummary {
  const byName = new Map<string, Map<string, { tag: Tag; occurrences: number }>>();
  for (const [tag, n] of counts) {
    let entries = byName.get(tag.name);
    if (!entries) byName.set(tag.name, (entries = new Map()));
    const key = tagKey(tag);
    const entry = entries.get(key);
    if (entry) entry.occurrences += n;
    else entries.set(key, { tag, occurrences: n });
  }
  const summary: TagSummary = { unique_tags: [], elided_tags: [] };
  for (const name of [...byName.keys()].sort()) {
    const entries = [...byName.get(name)!.values()];
    const distinct = new Set(entries.map((e) => e.tag.value)).size;
    const unary = entries.every((e) => e.tag.type === 'unary');
    if (distinct > maxDistinct && !unary) {
      const occurrences = entries.reduce((n, e) => n + e.occurrences, 0);
      summary.elided_tags.push({ name, type: entries[0].tag.type, distinct_values: distinct, occurrences });
    } else {
      entries.sort((a, b) => (a.tag.value < b.tag.value ? -1 : a.tag.value > b.tag.value ? 1 : tagKey(a.tag) < tagKey(b.tag) ? -1 : 1));
      summary.unique_tags.push(...entries.map((e) => ({ tag: { ...e.tag }, occurrences: e.occurrences })));
    }
  }
  return summary;
}
