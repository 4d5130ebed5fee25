/**
 * The timeline's records for a set of filters: the newest MAX_TIMELINE_RECORDS, in time order,
 * then records arriving after them, polled every POLL_MS with after_seq (lib/arrivals.ts). Records
 * come as their exact text (format=raw): the server does not parse them, and a record is parsed
 * when opened.
 */
import { useEffect, useState } from 'react';
import type { Api } from './lib/api';
import { followArrivals, PAGE_SIZE } from './lib/arrivals';
import { journalParams, queryFromFilters, type Filters } from './lib/filters';
import type { JournalRecord, RecordPage } from './lib/records';

export const MAX_TIMELINE_RECORDS = 10_000;

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
    let records: JournalRecord[] = [];
    setState({ records: [], loading: true, truncated: false });

    const follow = (afterSeq: number) => followArrivals({
      read: async (after) => (await api.json<RecordPage>('sys/journal/records', journalParams(filters, { limit: PAGE_SIZE, afterSeq: after, raw: true }))).records,
      onRecords: (page) => {
        if (cancelled) return;
        records = [...records, ...page].slice(-MAX_TIMELINE_RECORDS);
        setState((s) => ({ ...s, records, error: undefined }));
      },
      onError: (err) => {
        if (!cancelled) setState((s) => ({ ...s, error: err.message }));
      },
      wait: (ms) => new Promise((resolve) => {
        if (cancelled) return resolve(false);
        timer = setTimeout(() => resolve(!cancelled), ms);
      }),
    }, afterSeq);

    loadNewest(api, filters, () => cancelled).then(({ records: loaded, truncated }) => {
      if (cancelled) return;
      records = loaded;
      setState({ records, loading: false, truncated });
      if (live) void follow(loaded.reduce((m, r) => Math.max(m, r.seq), -1));
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
