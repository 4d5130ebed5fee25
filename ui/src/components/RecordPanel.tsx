import { useEffect, useMemo, useRef, useState } from 'react';
import type { Api } from '../lib/api';
import { classify, MARK_LABELS } from '../lib/kinds';
import { importedFrom, recordJson, type JournalRecord } from '../lib/records';
import { IdentityLinks } from './IdentityLinks';
import { JsonView, PLAIN_OVER } from './JsonView';
import { VerifyPanel } from './VerifyPanel';

/** An opened record: its ledger index, identities (pivots), raw JSON and Verify. Esc closes it. */
export function RecordPanel({ api, record, onClose }: { api: Api; record: JournalRecord; onClose: () => void }) {
  const panel = useRef<HTMLElement>(null);
  // Once verified, the panel shows the text that was verified (a server could answer the
  // timeline and the verification with different copies).
  const [verified, setVerified] = useState<string | undefined>();
  useEffect(() => {
    panel.current?.focus();
    setVerified(undefined);
  }, [record.seq]);
  const shown = useMemo(() => recordJson(record), [record]);
  const verifiedJson = useMemo(() => (verified === undefined ? undefined : recordJson({ text: verified })), [verified]);
  const differs = useMemo(() => verifiedJson !== undefined && JSON.stringify(verifiedJson) !== JSON.stringify(shown), [verifiedJson, shown]);
  const size = Math.max(record.text?.length ?? 0, verified?.length ?? 0);
  const plain = size > PLAIN_OVER;
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
        {importedFrom(record) !== undefined && <> · <span className="imported">imported from {importedFrom(record)}</span></>}
      </p>
      <IdentityLinks record={record} />
      <VerifyPanel api={api} seq={record.seq} onVerified={setVerified} />
      {differs && (
        <p className="warning" role="alert" data-record-differs="true">
          The record the server listed differs from the text it verified: the verified text is shown below.
        </p>
      )}
      {plain && <p className="muted">A large record ({Math.round(size / 1024).toLocaleString('en')} KiB): shown as plain text.</p>}
      <JsonView value={verifiedJson ?? shown} plain={plain} />
    </aside>
  );
}
