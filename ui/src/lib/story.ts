/**
 * An enclave's story from its timeline records: what it attested, the tokens it was issued, the
 * secrets it read, its KMS calls and capsules opened, and activity per time bucket for the chart.
 */
import { classify, type Mark } from './kinds.js';
import { recordJson, type JournalRecord } from './records.js';

export interface Story {
  readonly attestations: JournalRecord[];
  readonly tokens: JournalRecord[];
  readonly secrets: JournalRecord[];
  readonly kms: JournalRecord[];
  readonly capsules: JournalRecord[];
}

/** A Vault response that issued a token: a login's or token creation's, with the new token's accessor. */
function issuesToken(r: JournalRecord): boolean {
  if (r.kind !== 'vault-response' || !r.path?.startsWith('auth/')) return false;
  const auth = (recordJson(r) as { auth?: { accessor?: unknown } } | null)?.auth;
  return typeof auth?.accessor === 'string' && auth.accessor !== '';
}

/** One line per request: the response entries (or the event itself where there is no Vault entry). */
export function storyOf(records: readonly JournalRecord[]): Story {
  const story: Story = { attestations: [], tokens: [], secrets: [], kms: [], capsules: [] };
  for (const r of records) {
    const mark = classify(r);
    if (r.kind === 'attestation') story.attestations.push(r);
    else if (issuesToken(r)) story.tokens.push(r);
    else if (mark === 'secret' && r.kind === 'vault-response') story.secrets.push(r);
    else if (r.kind === 'cloudtrail') story.kms.push(r);
    else if (r.kind === 'capsule-access') story.capsules.push(r);
  }
  return story;
}

export interface Bucket { readonly start: number; readonly counts: Partial<Record<Mark, number>>; readonly total: number }

/** Records per time bucket (bucketCount buckets spanning first to last record), by mark. */
export function activityBuckets(records: readonly JournalRecord[], bucketCount: number): Bucket[] {
  const times = records.map((r) => Date.parse(r.time)).filter((t) => Number.isFinite(t));
  if (times.length === 0 || bucketCount < 1) return [];
  const first = Math.min(...times);
  const span = Math.max(Math.max(...times) - first, 1);
  const width = span / bucketCount;
  const buckets = Array.from({ length: bucketCount }, (_, i) => ({ start: first + i * width, counts: {} as Partial<Record<Mark, number>>, total: 0 }));
  records.forEach((r) => {
    const t = Date.parse(r.time);
    if (!Number.isFinite(t)) return;
    const b = buckets[Math.min(bucketCount - 1, Math.floor((t - first) / width))];
    const mark = classify(r);
    b.counts[mark] = (b.counts[mark] ?? 0) + 1;
    b.total++;
  });
  return buckets;
}
