import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../lib/api';
import { filtersFromQuery, ignoredFilters, MAX_FILTER_LENGTH } from '../lib/filters';
import { useTimeline } from '../useTimeline';
import { FILTER_LABELS, FilterBar } from '../components/FilterBar';
import { VirtualList } from '../components/VirtualList';
import { RecordRow } from '../components/RecordRow';
import { RecordPanel } from '../components/RecordPanel';

const ROW_HEIGHT = 30;

/** Timeline and search: filters in the URL, the records in time order, one opened at a time. */
export function TimelinePage({ api, search }: { api: Api; search: string }) {
  const filters = useMemo(() => filtersFromQuery(search), [search]);
  const ignored = useMemo(() => ignoredFilters(search), [search]);
  const [live, setLive] = useState(true);
  const timeline = useTimeline(api, filters, live);
  const [selected, setSelected] = useState(-1);
  const [open, setOpen] = useState<number | undefined>();

  useEffect(() => { setSelected(-1); setOpen(undefined); }, [search]);
  useEffect(() => {
    if (!timeline.loading) performance.mark('sealtrail:timeline-rendered', { detail: { count: timeline.records.length } });
  }, [timeline.loading, timeline.records.length]);

  const openAt = useCallback((i: number) => { setSelected(i); setOpen(timeline.records[i]?.seq); }, [timeline.records]);
  const opened = open === undefined ? undefined : timeline.records.find((r) => r.seq === open);
  const body = useRef<HTMLDivElement>(null);
  // Closing a record gives the focus back to the list, where the selection still is.
  const close = useCallback(() => {
    setOpen(undefined);
    body.current?.querySelector<HTMLElement>('[role=listbox]')?.focus();
  }, []);

  return (
    <main className="timeline-page" onKeyDown={(e) => { if (e.key === 'Escape' && open !== undefined) close(); }}>
      <FilterBar filters={filters} />
      <div className="status" role="status">
        {timeline.loading ? 'Loading…' : timeline.failed ? '' : `${timeline.records.length} records${timeline.truncated ? ' (the newest only: narrow the search for older ones)' : ''}`}
        <label className="live"><input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> live (every 2 s)</label>
        {ignored.map((key) => <span key={key} className="error"> {FILTER_LABELS[key]} ignored: longer than {MAX_FILTER_LENGTH} characters.</span>)}
        {timeline.error && <span className="error"> {timeline.error}</span>}
      </div>
      <div ref={body} className={`timeline-body${opened ? ' with-panel' : ''}`}>
        <VirtualList
          items={timeline.records}
          rowHeight={ROW_HEIGHT}
          selected={selected}
          onSelect={setSelected}
          onOpen={openAt}
          label="Journal records"
          renderRow={(r, i, sel) => <RecordRow key={r.seq} record={r} index={i} selected={sel} onClick={openAt} />}
        />
        {opened && <RecordPanel key={opened.seq} api={api} record={opened} onClose={close} />}
      </div>
    </main>
  );
}
