/**
 * The timeline's records for a set of filters: the newest MAX_TIMELINE_RECORDS, in time order,
 * then records arriving after them, polled every POLL_MS with after_seq (lib/arrivals.ts). Records
 * come as their exact text (format=raw): the server does not parse them, and a record is parsed
 * when opened.
 */
import { useEffect, useState } from 'react';
import { ApiError, explainError, type Api } from './lib/api';
import { followArrivals, PAGE_SIZE, POLL_MS } from './lib/arrivals';
import { journalParams, queryFromFilters, type Filters } from './lib/filters';
import type { JournalRecord, RecordPage } from './lib/records';

export const MAX_TIMELINE_RECORDS = 10_000;

export interface TimelineState {
  readonly records: readonly JournalRecord[];
  readonly loading: boolean;
  readonly truncated: boolean;
  /** The search could not be run (the error says why): no records is not an empty result. */
  readonly failed?: boolean;
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

/** A failure that may pass on its own: no answer, a sealed or standby server (503), a rate limit. */
function passing(err: unknown): boolean {
  return err instanceof ApiError && (err.status === 0 || err.status === 429 || err.status >= 500);
}

const RETRYING = ` (trying again every ${POLL_MS / 1000} s)`;

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
        if (!cancelled) setState((s) => ({ ...s, error: explainError(err) + RETRYING }));
      },
      wait: (ms) => new Promise((resolve) => {
        if (cancelled) return resolve(false);
        timer = setTimeout(() => resolve(!cancelled), ms);
      }),
    }, afterSeq);

    // A load that failed for a reason that may pass (a sealed or restarting server) is tried again.
    const load = (): void => void loadNewest(api, filters, () => cancelled).then(({ records: loaded, truncated }) => {
      if (cancelled) return;
      records = loaded;
      setState({ records, loading: false, truncated });
      if (live) void follow(loaded.reduce((m, r) => Math.max(m, r.seq), -1));
    }, (err: unknown) => {
      if (cancelled) return;
      const again = passing(err);
      setState({ records: [], loading: false, truncated: false, failed: true, error: explainError(err) + (again ? RETRYING : '') });
      if (again) timer = setTimeout(load, POLL_MS);
    });
    load();
    return () => {
      cancelled = true;
      if (timer) clearTimeout(timer);
    };
    // The filters are keyed by their query string (a new object with the same filters is no change).
  }, [api, key, live]);

  return state;
}
