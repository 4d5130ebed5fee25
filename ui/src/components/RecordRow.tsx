import { classify, MARK_LABELS, outcomeOf } from '../lib/kinds';
import { importedFrom, type JournalRecord } from '../lib/records';
import { visibleText } from '../lib/visible-text';

/** One line of the timeline: time, a mark for what it is and one for its outcome, whether it was imported, and a summary. */
export function RecordRow({ record, index, selected, onClick }: { record: JournalRecord; index: number; selected: boolean; onClick: (index: number) => void }) {
  const mark = classify(record);
  const outcome = outcomeOf(record.outcome);
  const imported = importedFrom(record);
  return (
    <div
      id={`row-${index}`}
      role="option"
      aria-selected={selected}
      className={`row${selected ? ' selected' : ''}`}
      data-seq={record.seq}
      data-imported={imported === undefined ? undefined : 'true'}
      onClick={() => onClick(index)}
    >
      <span className="seq">#{record.seq}</span>
      <time dateTime={record.time}>{record.time.replace('T', ' ').slice(0, 23)}</time>
      <span className={`mark mark-${mark}`} title={MARK_LABELS[mark]}>{MARK_LABELS[mark]}</span>
      <span className={`outcome outcome-${outcome}`} title={`outcome: ${outcome}`} aria-label={`outcome ${outcome}`}>{outcome === 'success' ? '●' : outcome === 'failure' ? '✕' : '○'}</span>
      <span className="kind">{record.kind}</span>
      {imported !== undefined && <span className="imported" title={`imported from ${imported}`}>imported</span>}
      <span className="summary">{visibleText(record.path ?? record.operation ?? '')}</span>
    </div>
  );
}
