/** The console's marks (what a record is about), the enclave story and the audit counters it reads. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classify, outcomeOf } from '../../ui/src/lib/kinds.js';
import { activityBuckets, storyOf } from '../../ui/src/lib/story.js';
import { auditWriteCounters } from '../../ui/src/lib/metrics.js';
import type { JournalRecord } from '../../ui/src/lib/records.js';

test('each record kind and Vault path gets its mark', () => {
  const cases: [string, string | null, string | null, string][] = [
    ['attestation', null, null, 'attestation'],
    ['vault-request', 'auth/apm/v0/attest/nitro/init', 'update', 'attestation'],
    ['vault-response', 'auth/apm/v0/attest/nitro/auth', 'update', 'attestation'],
    ['vault-request', 'auth/token/create', 'update', 'token'],
    ['vault-response', 'auth/token/lookup-self', 'read', 'token'],
    ['vault-request', 'secret/data/enclave/db', 'read', 'secret'],
    ['vault-request', 'kms/aws/Decrypt', 'update', 'kms'],
    ['cloudtrail', null, null, 'kms'],
    ['capsule-access', 'capsule/load', 'update', 'capsule'],
    ['vault-request', 'capsule/load', 'update', 'capsule'],
    ['capsule-control', null, null, 'control'],
    ['vault-request', 'sys/policies/acl/enclave', 'update', 'control'],
    ['vault-request', 'sys/audit/file', 'delete', 'control'],
    ['vault-request', 'sys/journal/records', 'read', 'other'],
    ['server', null, null, 'server'],
    ['something-new', null, null, 'other'],
    ['vault-request', null, null, 'other'],
  ];
  for (const [kind, path, operation, mark] of cases) assert.equal(classify({ kind, path, operation }), mark, `${kind} ${path} ${operation}`);
  assert.equal(outcomeOf('success'), 'success');
  assert.equal(outcomeOf('failure'), 'failure');
  assert.equal(outcomeOf(null), 'none');
  assert.equal(outcomeOf('weird'), 'none');
});

const rec = (seq: number, kind: string, path: string | null, time: string): JournalRecord => ({
  seq, time, kind, path, operation: 'update', outcome: 'success', request_id: `r${seq}`, accessor: null, entity_id: 'e1', correlation_id: null,
  access_key_id: null, user_arn: null, key_arn: null, capsule: null, session: null, remote_address: null,
});

test('an enclave story keeps one line per attestation, login, secret read, KMS event and capsule access', () => {
  const records = [
    rec(0, 'vault-request', 'auth/apm/v0/attest/nitro/auth', '2026-12-05T10:00:00Z'),
    rec(1, 'attestation', null, '2026-12-05T10:00:00Z'),
    { ...rec(2, 'vault-response', 'auth/apm/v0/attest/nitro/auth', '2026-12-05T10:00:01Z'), record: { auth: { accessor: 'hmac-sha256:ab' } } },
    { ...rec(7, 'vault-response', 'auth/token/lookup-self', '2026-12-05T10:00:01Z'), text: '{"auth":{"accessor":""}}' },
    rec(3, 'vault-request', 'secret/data/db', '2026-12-05T10:00:02Z'),
    rec(4, 'vault-response', 'secret/data/db', '2026-12-05T10:00:02Z'),
    rec(5, 'cloudtrail', null, '2026-12-05T10:00:03Z'),
    rec(6, 'capsule-access', 'capsule/load', '2026-12-05T10:00:04Z'),
  ];
  const story = storyOf(records);
  assert.deepEqual(story.attestations.map((r) => r.seq), [1]);
  assert.deepEqual(story.tokens.map((r) => r.seq), [2]);
  assert.deepEqual(story.secrets.map((r) => r.seq), [4]);
  assert.deepEqual(story.kms.map((r) => r.seq), [5]);
  assert.deepEqual(story.capsules.map((r) => r.seq), [6]);
  const buckets = activityBuckets(records, 4);
  assert.equal(buckets.length, 4);
  assert.equal(buckets.reduce((n, b) => n + b.total, 0), records.length);
  assert.deepEqual(buckets[0].counts, { attestation: 2 });
  assert.deepEqual(buckets[1].counts, { attestation: 1, token: 1 });
  assert.deepEqual(buckets[3].counts, { kms: 1, capsule: 1 });
  assert.deepEqual(activityBuckets([], 4), []);
});

test('audit write counters are read from the metrics text, other samples ignored', () => {
  const text = [
    '# HELP sealtrail_audit_device_writes_total Audit entries offered to each device, by result.',
    'sealtrail_audit_device_writes_total{path="file/",result="ok"} 12',
    'sealtrail_audit_device_writes_total{path="file/",result="failed"} 1',
    'sealtrail_audit_device_writes_total{path="we\\"ird/",result="ok"} 3',
    'sealtrail_audit_device_failing{path="file/"} 0',
  ].join('\n');
  assert.deepEqual(auditWriteCounters(text), { 'file/': { ok: 12, failed: 1 }, 'we"ird/': { ok: 3 } });
});
