import { test } from 'node:test';
import assert from 'node:assert/strict';
import { capsuleAccessKeys, capsuleControlKeys } from '../../../src/journal/index.js';
import type { AccessRecord, ControlRecord } from '../../../src/secrets/capsule/log/records.js';

const read: AccessRecord = {
  id: '0000018c2d5e6f7a8b9c0d1e2f3a4b5c',
  time: '2026-12-05T03:00:00.123Z',
  domain: 'dm-orders',
  capsule: 'cap-7f3a',
  operation: 'read',
  session: 'ses-2b9c',
  principal: { display_name: 'token-analyst', entity_id: '9f2c3b1a-0d4e-4f5a-8b6c-7d8e9f0a1b2c' },
  location: 's3://bucket/orders/1.cap',
  create_info: null,
  open_info: null,
  read_info: {
    parameters: { purpose: 'report' }, read_context: 'analysts',
    allowed_tags: { unique_tags: [], elided_tags: [] }, redacted_tags: { unique_tags: [], elided_tags: [] },
    tokenized_tags: { unique_tags: [], elided_tags: [] }, returned_records: 3, filtered_records: 1,
  },
};

test('an access record: capsule, session, principal entity, operation; location is no path', () => {
  assert.deepEqual(capsuleAccessKeys(JSON.parse(JSON.stringify(read))), {
    capsule: 'cap-7f3a', session: 'ses-2b9c', entityId: '9f2c3b1a-0d4e-4f5a-8b6c-7d8e9f0a1b2c', operation: 'read', outcome: 'success',
  });
});

test('an access record with an error is a failure; one without a caller has no session or entity', () => {
  const failed = { ...read, error: 'denied by read context', session: null, principal: null, capsule: null };
  assert.deepEqual(capsuleAccessKeys(JSON.parse(JSON.stringify(failed))), { operation: 'read', outcome: 'failure' });
});

test('a control record: session, its URL as the request path, its method; a session start\'s entity', () => {
  const control: ControlRecord = {
    id: '0000018c2d5e6f7a8b9c0d1e2f3a4b5d', time: '2026-12-05T03:00:01Z', session: 'ses-2b9c',
    url: '/v1/capsule/write-context/orders', summary: 'Created write context orders', description: { method: 'POST' },
  };
  assert.deepEqual(capsuleControlKeys(JSON.parse(JSON.stringify(control))), {
    session: 'ses-2b9c', path: 'capsule/write-context/orders', operation: 'POST', outcome: 'success',
  });
  const start = { ...control, summary: 'Domain authentication', description: { method: 'POST', subject: 'apm-x', entity_id: 'e-1' } };
  assert.equal(capsuleControlKeys(JSON.parse(JSON.stringify(start))).entityId, 'e-1');
});
