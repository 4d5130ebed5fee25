import { useEffect, useState } from 'react';
import { explainError, type Api } from '../lib/api';
import { queryFromFilters } from '../lib/filters';
import type { JournalRecord } from '../lib/records';
import { storyOf } from '../lib/story';
import { visibleText } from '../lib/visible-text';
import { ActivityChart } from '../components/ActivityChart';
import { Link } from '../components/Link';
import { RecordTable, type Column } from '../components/RecordTable';

type Timeline = { groups: { request_id: string | null; records: JournalRecord[] }[]; truncated: boolean };

const field = (r: JournalRecord, name: string): string => {
  const v = (r.record as Record<string, unknown> | undefined)?.[name];
  return v === undefined || v === null ? '' : visibleText(typeof v === 'string' ? v : JSON.stringify(v));
};
const nested = (r: JournalRecord, ...path: string[]): string => {
  let v: unknown = r.record;
  for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
  return v === undefined || v === null ? '' : String(v);
};

const ATTESTATION: Column[] = [
  { title: 'platform', cell: (r) => field(r, 'platform') },
  { title: 'result', cell: (r) => <span className={`outcome-${r.outcome ?? 'none'}`}>{field(r, 'verdict')}{field(r, 'reason') && ` (${field(r, 'reason')})`}</span> },
  { title: 'signer', cell: (r) => <span className="mono">{field(r, 'signer_id').slice(0, 16)}</span> },
  { title: 'measurements', cell: (r) => <span className="mono small">{field(r, 'measurements').slice(0, 80)}</span> },
];
const VAULT: Column[] = [
  { title: 'path', cell: (r) => r.path ?? '' },
  { title: 'outcome', cell: (r) => <span className={`outcome-${r.outcome ?? 'none'}`}>{r.outcome ?? ''}</span> },
];
const TOKENS: Column[] = [...VAULT, { title: 'accessor', cell: (r) => <span className="json-hmac">{visibleText(nested(r, 'auth', 'accessor'))}</span> }];
const KMS: Column[] = [
  { title: 'call', cell: (r) => field(r, 'eventName') },
  { title: 'key', cell: (r) => (r.key_arn ? <Link href={`/ui/${queryFromFilters({ key_arn: r.key_arn })}`}>{r.key_arn}</Link> : '') },
  { title: 'error', cell: (r) => field(r, 'errorCode') },
];
const CAPSULES: Column[] = [
  { title: 'capsule', cell: (r) => (r.capsule ? <Link href={`/ui/${queryFromFilters({ capsule: r.capsule })}`}>{visibleText(r.capsule)}</Link> : '') },
  { title: 'operation', cell: (r) => r.operation ?? '' },
  { title: 'outcome', cell: (r) => <span className={`outcome-${r.outcome ?? 'none'}`}>{r.outcome ?? ''}</span> },
];

/** An enclave's story: what the journal knows of one entity, oldest first, and its activity. */
export function EntityPage({ api, entityId }: { api: Api; entityId: string }) {
  const [records, setRecords] = useState<JournalRecord[] | undefined>();
  const [truncated, setTruncated] = useState(false);
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let cancelled = false;
    setRecords(undefined);
    setError(undefined);
    api.json<Timeline>('sys/journal/timeline', new URLSearchParams({ entity_id: entityId })).then((t) => {
      if (cancelled) return;
      setRecords(t.groups.flatMap((g) => g.records));
      setTruncated(t.truncated);
    }, (err: unknown) => { if (!cancelled) setError(explainError(err)); });
    return () => { cancelled = true; };
  }, [api, entityId]);

  if (error) return <main className="page"><h1>Entity</h1><p className="error">{error}</p></main>;
  if (!records) return <main className="page"><h1>Entity</h1><p>Loading…</p></main>;
  const story = storyOf(records);
  return (
    <main className="page">
      <h1>Enclave story <span className="mono small">{visibleText(entityId)}</span></h1>
      <p>{records.length} records{truncated && ' (the first 1,000)'} · <Link href={`/ui/${queryFromFilters({ entity_id: entityId })}`}>open in the timeline</Link></p>
      <ActivityChart records={records} />
      <RecordTable title="Attestations" records={story.attestations} columns={ATTESTATION} empty="No attestation." />
      <RecordTable title="Tokens issued" records={story.tokens} columns={TOKENS} empty="No login." />
      <RecordTable title="Secrets read" records={story.secrets} columns={VAULT} empty="No secret read." />
      <RecordTable title="KMS calls" records={story.kms} columns={KMS} empty="No KMS call." />
      <RecordTable title="Capsules opened" records={story.capsules} columns={CAPSULES} empty="No capsule access." />
    </main>
  );
}
