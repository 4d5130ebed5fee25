import { classify, MARK_LABELS, outcomeOf } from '../lib/kinds';
import type { JournalRecord } from '../lib/records';
import { visibleText } from '../lib/visible-text';

/** One line of the timeline: time, a mark for what it is and one for its outcome, and a summary. */
export function RecordRow({ record, index, selected, onClick }: { record: JournalRecord; index: number; selected: boolean; onClick: (index: number) => void }) {
  const mark = classify(record);
  const outcome = outcomeOf(record.outcome);
  return (
    <div
      id={`row-${index}`}
      role="option"
      aria-selected={selected}
      className={`row${selected ? ' selected' : ''}`}
      data-seq={record.seq}
      onClick={() => onClick(index)}
    >
      <span className="seq">#{record.seq}</span>
      <time dateTime={record.time}>{record.time.replace('T', ' ').slice(0, 23)}</time>
      <span className={`mark mark-${mark}`} title={MARK_LABELS[mark]}>{MARK_LABELS[mark]}</span>
      <span className={`outcome outcome-${outcome}`} title={`outcome: ${outcome}`} aria-label={`outcome ${outcome}`}>{outcome === 'success' ? '●' : outcome === 'failure' ? '✕' : '○'}</span>
      <span className="kind">{record.kind}</span>
      <span className="summary">{visibleText(record.path ?? record.operation ?? '')}</span>
    </div>
  );
}
