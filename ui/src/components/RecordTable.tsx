import type { ReactNode } from 'react';
import { queryFromFilters } from '../lib/filters';
import { importedFrom, type JournalRecord } from '../lib/records';
import { visibleText } from '../lib/visible-text';
import { Link } from './Link';

const shown = (cell: ReactNode): ReactNode => (typeof cell === 'string' ? visibleText(cell) : cell);

export interface Column { readonly title: string; readonly cell: (r: JournalRecord) => ReactNode }

/** A short table of records; each row's seq links to its request in the timeline, and an imported record is marked. Text cells show invisible characters escaped. */
export function RecordTable({ title, records, columns, empty }: { title: string; records: readonly JournalRecord[]; columns: readonly Column[]; empty: string }) {
  return (
    <section className="record-table">
      <h2>{title} <span className="count">({records.length})</span></h2>
      {records.length === 0 ? <p className="muted">{empty}</p> : (
        <table>
          <thead><tr><th>#</th><th>time</th>{columns.map((c) => <th key={c.title}>{c.title}</th>)}</tr></thead>
          <tbody>
            {records.map((r) => (
              <tr key={r.seq}>
                <td>
                  {r.request_id ? <Link href={`/ui/${queryFromFilters({ request_id: r.request_id })}`}>{r.seq}</Link> : r.seq}
                  {importedFrom(r) !== undefined && <> <span className="imported" title={`imported from ${importedFrom(r)}`}>imported</span></>}
                </td>
                <td><time dateTime={r.time}>{r.time.replace('T', ' ').slice(0, 19)}</time></td>
                {columns.map((c) => <td key={c.title}>{shown(c.cell(r))}</td>)}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
