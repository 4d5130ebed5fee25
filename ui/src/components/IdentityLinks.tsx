import { queryFromFilters } from '../lib/filters';
import { IDENTITY_KEYS, type JournalRecord } from '../lib/records';
import { routePath } from '../lib/route';
import { visibleText } from '../lib/visible-text';
import { Link } from './Link';

const LABELS: Record<(typeof IDENTITY_KEYS)[number], string> = {
  entity_id: 'entity', accessor: 'accessor', correlation_id: 'correlation', request_id: 'request', key_arn: 'KMS key', capsule: 'capsule',
};

/** Every identity a record carries, each a link that pivots the timeline to it. */
export function IdentityLinks({ record }: { record: JournalRecord }) {
  const present = IDENTITY_KEYS.filter((k) => record[k]);
  if (present.length === 0) return null;
  return (
    <dl className="identities">
      {present.map((key) => (
        <div key={key}>
          <dt>{LABELS[key]}</dt>
          <dd>
            <Link href={`/ui/${queryFromFilters({ [key]: record[key]! })}`} className={`pivot${key === 'accessor' ? ' json-hmac' : ''}`} title={`Timeline of this ${LABELS[key]}`}>{visibleText(record[key]!)}</Link>
            {key === 'entity_id' && <> · <Link href={routePath({ page: 'entity', entityId: record[key]! })}>story</Link></>}
          </dd>
        </div>
      ))}
    </dl>
  );
}
