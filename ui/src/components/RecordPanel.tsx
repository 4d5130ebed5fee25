import { useEffect, useRef } from 'react';
import type { Api } from '../lib/api';
import { classify, MARK_LABELS } from '../lib/kinds';
import { recordJson, type JournalRecord } from '../lib/records';
import { IdentityLinks } from './IdentityLinks';
import { JsonView } from './JsonView';
import { VerifyPanel } from './VerifyPanel';

/** An opened record: its ledger index, identities (pivots), raw JSON and Verify. Esc closes it. */
export function RecordPanel({ api, record, onClose }: { api: Api; record: JournalRecord; onClose: () => void }) {
  const panel = useRef<HTMLElement>(null);
  useEffect(() => panel.current?.focus(), [record.seq]);
  return (
    <aside
      ref={panel}
      className="record-panel"
      tabIndex={-1}
      aria-label={`Record ${record.seq}`}
      onKeyDown={(e) => { if (e.key === 'Escape') { e.stopPropagation(); onClose(); } }}
    >
      <header>
        <h2>Record #{record.seq}</h2>
        <button type="button" onClick={onClose} aria-label="Close (Esc)">✕</button>
      </header>
      <p className="meta">
        <span className={`mark mark-${classify(record)}`}>{MARK_LABELS[classify(record)]}</span> {record.kind} · {record.time} · ledger index {record.seq}
        {record.outcome && <> · outcome {record.outcome}</>}
      </p>
      <IdentityLinks record={record} />
      <VerifyPanel api={api} seq={record.seq} />
      <JsonView value={recordJson(record)} />
    </aside>
  );
}
