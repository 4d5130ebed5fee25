import { activityBuckets } from '../lib/story';
import { MARK_LABELS, type Mark } from '../lib/kinds';
import type { JournalRecord } from '../lib/records';

const BUCKETS = 48;
const WIDTH = 720;
const HEIGHT = 140;
const ORDER: readonly Mark[] = ['attestation', 'token', 'secret', 'kms', 'capsule', 'control', 'server', 'other'];

/** Records over time, stacked by what they are: one bar per time bucket, drawn as SVG. */
export function ActivityChart({ records }: { records: readonly JournalRecord[] }) {
  const buckets = activityBuckets(records, BUCKETS);
  if (buckets.length === 0) return null;
  const max = Math.max(...buckets.map((b) => b.total), 1);
  const bar = WIDTH / BUCKETS;
  const first = new Date(buckets[0].start).toISOString();
  const last = new Date(Math.max(...records.map((r) => Date.parse(r.time)).filter(Number.isFinite))).toISOString();
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT + 20}`} role="img" aria-label={`Activity from ${first} to ${last}, ${records.length} records`}>
        {buckets.map((b, i) => {
          let y = HEIGHT;
          return (
            <g key={i}>
              <title>{`${new Date(b.start).toISOString()}: ${b.total} records`}</title>
              {ORDER.filter((m) => b.counts[m]).map((m) => {
                const h = (b.counts[m]! / max) * (HEIGHT - 4);
                y -= h;
                return <rect key={m} className={`bar-${m}`} x={i * bar + 1} y={y} width={bar - 2} height={h} />;
              })}
            </g>
          );
        })}
        <line className="axis" x1={0} y1={HEIGHT} x2={WIDTH} y2={HEIGHT} />
        <text className="axis-label" x={0} y={HEIGHT + 15}>{first.slice(0, 19)}</text>
        <text className="axis-label" x={WIDTH} y={HEIGHT + 15} textAnchor="end">{last.slice(0, 19)}</text>
      </svg>
      <figcaption>
        {ORDER.filter((m) => buckets.some((b) => b.counts[m])).map((m) => <span key={m} className={`legend mark mark-${m}`}>{MARK_LABELS[m]}</span>)}
      </figcaption>
    </figure>
  );
}
