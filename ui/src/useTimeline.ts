/**
 * The timeline's records for a set of filters: the newest MAX_TIMELINE_RECORDS, in time order,
 * then records arriving after them, polled every POLL_MS with after_seq. Records come as their
 * exact text (format=raw): the server does not parse them, and a record is parsed when opened.
 */
import { useEffect, useState } from 'react';
import type { Api } from './lib/api';
import { journalParams, queryFromFilters, type Filters } from './lib/filters';
import type { JournalRecord, RecordPage } from './lib/records';

export const MAX_TIMELINE_RECORDS = 10_000;
export const PAGE_SIZE = 1000;
export const POLL_MS = 2000;

export interface TimelineState {
  readonly records: readonly JournalRecord[];
  readonly loading: boolean;
  readonly truncated: boolean;
  readonly error?: string;
}

async function loadNewest(api: Api, filters: Filters, isCancelled: () => boolean): Promise<{ records: JournalRecord[]; truncated: boolean }> {
  const newestFirst: JournalRecord[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < MAX_TIMELINE_RECORDS / PAGE_SIZE; pages++) {
    const page = await api.json<RecordPage>('sys/journal/records', journalParams(filters, { limit: PAGE_SIZE, cursor, raw: true }));
    if (isCancelled()) break;
    newestFirst.push(...page.records);
    if (!page.next_cursor) return { records: newestFirst.reverse(), truncated: false };
    cursor = page.next_cursor;
  }
  return { records: newestFirst.reverse(), truncated: true };
}

export function useTimeline(api: Api, filters: Filters, live: boolean): TimelineState {
  const [state, setState] = useState<TimelineState>({ records: [], loading: true, truncated: false });
  const key = queryFromFilters(filters);

  useEffect(() => {
    let cancelled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastSeq = -1;
    let records: JournalRecord[] = [];
    setState({ records: [], loading: true, truncated: false });

    const poll = async () => {
      try {
        const page = await api.json<RecordPage>('sys/journal/records', journalParams(filters, { limit: PAGE_SIZE, afterSeq: lastSeq, raw: true }));
        if (cancelled) return;
        if (page.records.length > 0) {
          lastSeq = Math.max(lastSeq, ...page.records.map((r) => r.seq));
          records = [...records, ...page.records].slice(-MAX_TIMELINE_RECORDS);
          setState((s) => ({ ...s, records, error: undefined }));
        }
      } catch (err) {
        if (!cancelled) setState((s) => ({ ...s, error: (err as Error).message }));
      }
      if (!cancelled && live) timer = setTimeout(poll, POLL_MS);
    };

    loadNewest(api, filters, () => cancelled).then(({ records: loaded, truncated }) => {
      if (cancelled) return;
      records = loaded;
      lastSeq = loaded.reduce((m, r) => Math.max(m, r.seq), -1);
      setState({ records, loading: false, truncated });
      if (live) timer = setTimeout(poll, POLL_MS);
    }, (err: Error) => {
      if (!cancelled) setState({ records: [], loading: false, truncated: false, error: err.message });
    });
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
    // The filters are keyed by their query string (a new object with the same filters is no change).
  }, [api, key, live]);

  return state;
}
