/**
 * Tag summaries for the load answer and the access log: every tag=value under `unique_tags` with
 * its occurrences while its name has at most 10 distinct values; above that the name moves to
 * `elided_tags` with only counts, so a high-cardinality tag (one id per row) cannot flood the log.
 * Unary tags have no value, hence one distinct value, and are never elided.
 */
import { explicitToken } from './tokenize.js';
import { tagKey, valueFromData, type Tag } from './tags.js';

export const MAX_DISTINCT_VALUES = 10;

export interface TagSummary {
  unique_tags: Array<{ tag: Tag; occurrences: number }>;
  elided_tags: Array<{ name: string; type: string; distinct_values: number; occurrences: number }>;
}

export function summarizeTags(tags: readonly Tag[], view: (tag: Tag) => Tag = plainView, maxDistinct = MAX_DISTINCT_VALUES): TagSummary {
  // Counted by object first: a table's tags are a few shared objects repeated on every row, so
  // each distinct object's key is built once.
  const counts = new Map<Tag, number>();
  for (const tag of tags) counts.set(tag, (counts.get(tag) ?? 0) + 1);
  return summarizeTagCounts(counts, view, maxDistinct);
}

const plainView = (tag: Tag): Tag => ({ ...tag });

/**
 * summarizeTags from occurrences already counted by tag object. Objects come in order of first
 * occurrence, so the tag kept for each key is the first one seen. `view` (tagView) shows each tag
 * listed under `unique_tags`; an elided name shows no value at all.
 */
export function summarizeTagCounts(counts: ReadonlyMap<Tag, number>, view: (tag: Tag) => Tag = plainView, maxDistinct = MAX_DISTINCT_VALUES): TagSummary {
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
      // Ordered by the value shown: ordered by a value shown as its token, the list would tell
      // which of two hidden values sorts first.
      const shown = entries.map((e) => ({ tag: view(e.tag), occurrences: e.occurrences, key: tagKey(e.tag) }));
      shown.sort((a, b) => (a.tag.value < b.tag.value ? -1 : a.tag.value > b.tag.value ? 1 : a.key < b.key ? -1 : 1));
      summary.unique_tags.push(...shown.map(({ tag, occurrences }) => ({ tag, occurrences })));
    }
  }
  return summary;
}

/**
 * How summaries show a tag. A value a rule rendered from the data (`from_data`) is the data
 * itself — an SSN a read context redacts, an address it tokenizes — and a summary goes to the
 * reader, the access log, the journal and the ledger: it shows the value's token instead (the
 * Tokenize effect's explicit token under the domain's key, so equal values still join), with
 * `from_data: true`. Other tags are shown as stored, without a `from_data: false`.
 */
export function tagView(tokenKey: Uint8Array): (tag: Tag) => Tag {
  return (tag) => {
    const { from_data: _marker, ...plain } = tag;
    return valueFromData(tag) ? { ...plain, value: explicitToken(tokenKey, tag.value), from_data: true } : plain;
  };
}
