import { test } from 'node:test';
import assert from 'node:assert/strict';
import { domainIdForMount } from '../../../src/secrets/capsule/index.js';
import { encapsulate, loadCapsule, putReadContext, queryAccessLog } from '../../../src/sdk/capsule.js';
import { EMPTY_SUMMARY, harness, mount, piiTag, REQUEST_ID, T0 } from './helpers.js';

const DOMAIN = domainIdForMount(mount.uuid);

test('the domain id is derived from the mount uuid', () => {
  assert.match(DOMAIN, /^dm-[0-9A-Za-z]{11}$/);
  assert.equal(domainIdForMount(mount.uuid), DOMAIN);
  assert.notEqual(domainIdForMount('another-uuid'), DOMAIN);
});

test('seed flow: encapsulate under sensitive, load redacting emails, then the access log has create, open and read', async () => {
  const h = await harness();
  await putReadContext(h.client, 'no-email', {
    parameters: [{ key: 'ticket', required: true, description: 'support ticket being worked on' }],
    rules: [{ match: { tags: [{ name: 'tag.sealtrail.io/pii/email' }] }, effect: 'Redact', priority: 10 }],
  });

  const created = await encapsulate(h.client, 'hello John Smith, mail john@example.com', { writeContext: 'sensitive' });
  assert.match(created.capsule_id, /^ca-[0-9A-Za-z]{22}$/);
  assert.equal(created.domain, DOMAIN);
  assert.equal(created.key_version, 1);
  assert.equal(Buffer.from(created.capsule, 'base64').includes(Buffer.from('john@example.com')), false);

  h.clock.advance(1000);
  const loaded = await loadCapsule(h.client, created.capsule, { readContext: 'no-email', parameters: { ticket: 'T-1234' } });
  assert.deepEqual(loaded, {
    capsule_id: created.capsule_id,
    data: 'hello John Smith, mail {redacted}',
    summary: {
      read_context: `${DOMAIN}::no-email`,
      allowed_tags: { unique_tags: [{ tag: piiTag('first_name', 'person_name'), occurrences: 1 }, { tag: piiTag('last_name', 'person_name'), occurrences: 1 }], elided_tags: [] },
      redacted_tags: { unique_tags: [{ tag: piiTag('email', 'email'), occurrences: 1 }], elided_tags: [] },
      tokenized_tags: EMPTY_SUMMARY,
      returned_records: 1,
      filtered_records: 0,
    },
  });

  const page = await queryAccessLog(h.client, { startDate: new Date(Date.parse(T0) - 60_000) });
  assert.equal(page.has_more, false);
  const [read, open, create] = page.results;
  // Newest first, and ids sort in time order.
  assert.deepEqual(page.results.map((r) => r.operation), ['read', 'open', 'create']);
  for (const r of page.results) assert.match(String(r.id), /^[0-9a-f]{32}$/);
  assert.ok(String(create.id) < String(open.id) && String(open.id) < String(read.id));

  const common = { request_id: REQUEST_ID, domain: DOMAIN, capsule: created.capsule_id, session: await h.backend.sessionId('acc-app-1'), principal: { display_name: 'token-app', entity_id: 'ent-42' }, location: null };
  assert.deepEqual(create, {
    id: create.id, time: T0, ...common, operation: 'create',
    create_info: { write_context: `${DOMAIN}::sensitive` }, open_info: null, read_info: null,
  });
  assert.deepEqual(open, {
    id: open.id, time: '2024-03-21T03:20:33Z', ...common, operation: 'open',
    create_info: null, open_info: { read_context: `${DOMAIN}::no-email` }, read_info: null,
  });
  assert.deepEqual(read, {
    id: read.id, time: '2024-03-21T03:20:33Z', ...common, operation: 'read',
    create_info: null, open_info: null,
    read_info: { parameters: { ticket: 'T-1234' }, ...loaded.summary },
  });

  // The log holds tag names and counts, never the data.
  const everything = JSON.stringify(page);
  for (const secret of ['john@example.com', 'John Smith']) assert.equal(everything.includes(secret), false);
});

test('the default read context allows everything', async () => {
  const h = await harness();
  const created = await encapsulate(h.client, 'call +1 415 555 0100 or mail a@b.io', { writeContext: 'sensitive' });
  const loaded = await loadCapsule(h.client, created.capsule);
  assert.equal(loaded.data, 'call +1 415 555 0100 or mail a@b.io');
  assert.deepEqual(loaded.summary.allowed_tags, {
    unique_tags: [{ tag: piiTag('email', 'email'), occurrences: 1 }, { tag: piiTag('phone', 'phone'), occurrences: 1 }],
    elided_tags: [],
  });
});
