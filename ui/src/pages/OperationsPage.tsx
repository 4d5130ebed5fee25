import { useEffect, useState } from 'react';
import { explainError, type Api } from '../lib/api';
import { queryFromFilters } from '../lib/filters';
import { auditWriteCounters, type DeviceCounters } from '../lib/metrics';
import type { JournalRecord, RecordPage } from '../lib/records';
import { visibleText } from '../lib/visible-text';
import { AuditDevices, type Devices } from '../components/AuditDevices';
import { Link } from '../components/Link';
import { RecordTable } from '../components/RecordTable';

/** The page's parts, each loaded (or refused) on its own. */
type Section = 'devices' | 'metrics' | 'kms' | 'capsules';

/** Records read for the KMS key list and the capsule access log. */
const RECENT = 1000;

function keyCounts(records: readonly JournalRecord[]): [string, number][] {
  const counts = new Map<string, number>();
  for (const r of records) if (r.key_arn) counts.set(r.key_arn, (counts.get(r.key_arn) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1]);
}

/**
 * Operations: audit devices with health and counters, the KMS keys seen in the journal's recent
 * CloudTrail events (ListKeys needs SigV4, which the console does not hold), the capsule access log.
 */
export function OperationsPage({ api }: { api: Api }) {
  const [devices, setDevices] = useState<Devices | undefined>();
  const [counters, setCounters] = useState<DeviceCounters>({});
  const [kms, setKms] = useState<JournalRecord[] | undefined>();
  const [capsules, setCapsules] = useState<JournalRecord[] | undefined>();
  const [errors, setErrors] = useState<Partial<Record<Section, string>>>({});

  useEffect(() => {
    const fail = (section: Section) => (err: unknown) => setErrors((e) => ({ ...e, [section]: explainError(err) }));
    api.json<Devices>('sys/audit').then(setDevices, fail('devices'));
    api.text('sys/metrics', new URLSearchParams({ format: 'prometheus' })).then((t) => setCounters(auditWriteCounters(t)), fail('metrics'));
    const recent = (kind: string) => new URLSearchParams({ kind, limit: String(RECENT), order: 'desc' });
    api.json<RecordPage>('sys/journal/records', recent('cloudtrail')).then((p) => setKms(p.records), fail('kms'));
    api.json<RecordPage>('sys/journal/records', recent('capsule-access')).then((p) => setCapsules(p.records), fail('capsules'));
  }, [api]);

  return (
    <main className="page">
      <h1>Operations</h1>
      {errors.devices ? <section><h2>Audit devices</h2><p className="error">{errors.devices}</p></section> : <AuditDevices devices={devices} counters={counters} />}
      {errors.metrics && <p className="error">Audit device counters: {errors.metrics}</p>}
      <section>
        <h2>KMS keys in use</h2>
        <p className="muted">Keys named by the last {RECENT} CloudTrail events (the KMS ListKeys API needs AWS credentials, which the console does not hold).</p>
        {errors.kms ? <p className="error">{errors.kms}</p> : !kms ? <p>Loading…</p> : kms.length === 0 ? <p className="muted">No KMS call recorded.</p> : (
          <ul>
            {keyCounts(kms).map(([arn, n]) => <li key={arn}><Link href={`/ui/${queryFromFilters({ key_arn: arn })}`}>{arn}</Link> — {n} calls</li>)}
          </ul>
        )}
      </section>
      {errors.capsules || !capsules ? (
        <section><h2>Capsule access log</h2>{errors.capsules ? <p className="error">{errors.capsules}</p> : <p>Loading…</p>}</section>
      ) : (
        <RecordTable
          title="Capsule access log"
          records={capsules}
          empty="No capsule access recorded."
          columns={[
            { title: 'capsule', cell: (r) => (r.capsule ? <Link href={`/ui/${queryFromFilters({ capsule: r.capsule })}`}>{visibleText(r.capsule)}</Link> : '') },
            { title: 'operation', cell: (r) => r.operation ?? '' },
            { title: 'entity', cell: (r) => (r.entity_id ? <Link href={`/ui/entity/${encodeURIComponent(r.entity_id)}`}>{r.entity_id}</Link> : '') },
            { title: 'outcome', cell: (r) => <span className={`outcome-${r.outcome ?? 'none'}`}>{r.outcome ?? ''}</span> },
          ]}
        />
      )}
    </main>
  );
}
