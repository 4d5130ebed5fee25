/**
 * The timeline's filters and the page URL's query: one parameter per filter, named as the journal
 * API names it, so a link is shareable and back/forward restores the search. Unknown parameters
 * and empty values are dropped; values are kept verbatim (the server validates them).
 */
export const FILTER_KEYS = [
  'entity_id', 'accessor', 'correlation_id', 'request_id', 'key_arn', 'capsule', 'kind', 'outcome', 'since', 'until',
] as const;

export type FilterKey = (typeof FILTER_KEYS)[number];
export type Filters = Partial<Record<FilterKey, string>>;

/** The longest value kept from a URL (a journal key is far shorter; an ARN about 100 bytes). */
export const MAX_FILTER_LENGTH = 512;

export function filtersFromQuery(search: string): Filters {
  const params = new URLSearchParams(search);
  const out: Filters = {};
  for (const key of FILTER_KEYS) {
    const value = params.get(key)?.trim();
    if (value && value.length <= MAX_FILTER_LENGTH) out[key] = value;
  }
  return out;
}

/** Filters the URL names with a value too long to search by (dropped by filtersFromQuery). */
export function ignoredFilters(search: string): FilterKey[] {
  const params = new URLSearchParams(search);
  return FILTER_KEYS.filter((key) => (params.get(key)?.trim().length ?? 0) > MAX_FILTER_LENGTH);
}

/** The query string for filters, in a fixed order (so equal filters make equal links). */
export function queryFromFilters(filters: Filters): string {
  const params = new URLSearchParams();
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) params.set(key, value);
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}

export function sameFilters(a: Filters, b: Filters): boolean {
  return queryFromFilters(a) === queryFromFilters(b);
}

/**
 * The journal API's parameters for a page of the timeline: newest first (the console shows the
 * latest records and reverses them into time order), or, following arrivals, after a seq.
 */
export function journalParams(filters: Filters, page: { limit: number; cursor?: string; afterSeq?: number; raw?: boolean }): URLSearchParams {
  const params = new URLSearchParams(queryFromFilters(filters));
  params.set('limit', String(page.limit));
  if (page.afterSeq !== undefined) params.set('after_seq', String(page.afterSeq));
  else params.set('order', 'desc');
  if (page.cursor) params.set('cursor', page.cursor);
  if (page.raw) params.set('format', 'raw');
  return params;
}

/** A filter that pivots the timeline to one identity of a record. */
export function pivot(key: FilterKey, value: string): Filters {
  return { [key]: value };
}
