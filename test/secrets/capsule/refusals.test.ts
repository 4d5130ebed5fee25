import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCapsuleBackend, domainIdForMount } from '../../../src/secrets/capsule/index.js';
import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import type { Storage } from '../../../src/storage/types.js';
import { EMPTY_SUMMARY, harness, mount, rejects, request, REQUEST_ID } from './helpers.js';

const DOMAIN = domainIdForMount(mount.uuid);

async function sealed(h: Awaited<ReturnType<typeof harness>>, text = 'mail ann@example.org') {
  const { data } = (await h.call('update', 'encapsulate', { data: text, write_context: 'sensitive' }))!;
  return { id: data!.capsule_id as string, bytes: Buffer.from(data!.capsule as string, 'base64') };
}

test('a capsule with one flipped byte fails to load, anywhere it is flipped, and each failure is logged', async () => {
  const h = await harness();
  const { id, bytes } = await sealed(h);
  // Header fields past the ids (key version, wrapped key, IV) and the sealed body.
  const idEnd = bytes.indexOf(Buffer.from(id)) + id.length;
  const positions = [idEnd + 2, idEnd + 10, idEnd + 40, bytes.length - 30, bytes.length - 1];
  for (const at of positions) {
    const copy = Buffer.from(bytes);
    copy[at] ^= 0x01;
    const expected = at === idEnd + 2 ? 'capsule was sealed under unknown domain key version 257' : 'capsule integrity check failed';
    await rejects(h.call('update', 'load', { capsule: copy.toString('base64'), read_context: 'default' }), 'invalid', expected);
  }
  const failures = await h.accessLog({ operation: 'open' });
  assert.equal(failures.length, positions.length);
  assert.deepEqual(failures[0], {
    id: failures[0].id, time: failures[0].time, request_id: REQUEST_ID, domain: DOMAIN, capsule: id, operation: 'open', session: await h.backend.sessionId('acc-app-1'),
    principal: { display_name: 'token-app', entity_id: 'ent-42' }, location: null,
    create_info: null, open_info: { read_context: `${DOMAIN}::default` }, read_info: null,
    error: 'capsule integrity check failed',
  });
  assert.equal((await h.accessLog({ operation: 'read' })).length, 0);
});

test('a load names a capsule only once its header is authenticated; before, the header\'s id is kept as unverified_capsule', async () => {
  const h = await harness();
  const victim = await sealed(h, 'never held by the forger');
  const own = await sealed(h, 'the forger\'s own');
  const idAt = own.bytes.indexOf(Buffer.from(own.id));
  const idEnd = idAt + own.id.length;
  const edited = (edit: (b: Buffer) => void) => {
    const copy = Buffer.from(own.bytes);
    edit(copy);
    return copy.toString('base64');
  };
  const load = (capsule: string, readContext = 'default') => h.call('update', 'load', { capsule, read_context: readContext }).catch((err: Error) => err.message);
  // The other capsule's id in the header; a key version that does not exist; a damaged wrapped key; an unknown read context on top.
  assert.equal(await load(edited((b) => Buffer.from(victim.id).copy(b, idAt))), 'capsule integrity check failed');
  assert.equal(await load(edited((b) => { b[idEnd + 2] ^= 0x01; })), 'capsule was sealed under unknown domain key version 257');
  assert.equal(await load(edited((b) => { b[idEnd + 40] ^= 0x01; })), 'capsule integrity check failed');
  assert.equal(await load(edited((b) => Buffer.from(victim.id).copy(b, idAt)), 'nope'), 'capsule integrity check failed');
  // The header authenticated: a damaged body and an unknown read context are the capsule's own refusals.
  assert.equal(await load(edited((b) => { b[b.length - 1] ^= 0x01; })), 'capsule integrity check failed');
  assert.equal(await load(own.bytes.toString('base64'), 'nope'), 'unknown read context "nope"');

  const refusals = (await h.accessLog({ operation: 'open', order: 'asc' })).map((r) => [r.capsule, r.unverified_capsule ?? null]);
  assert.deepEqual(refusals, [[null, victim.id], [null, own.id], [null, own.id], [null, victim.id], [own.id, null], [own.id, null]]);
  assert.deepEqual((await h.accessLog({ capsule: victim.id })).map((r) => r.operation), ['create']);
});

test('damaged framing gives clear integrity errors', async () => {
  const h = await harness();
  const { bytes } = await sealed(h);
  const cases: Array<[string, string]> = [
    ['not base64!', 'capsule integrity check failed: capsule is not valid base64'],
    // Padding only at the end and at most two; the alphabet only; a length that is a multiple of 4.
    ['QQ==QQ==', 'capsule integrity check failed: capsule is not valid base64'],
    ['Q===', 'capsule integrity check failed: capsule is not valid base64'],
    ['QUJ\u00e9', 'capsule integrity check failed: capsule is not valid base64'],
    ['QUJD-_==', 'capsule integrity check failed: capsule is not valid base64'],
    ['QUJDR', 'capsule integrity check failed: capsule is not valid base64'],
    [Buffer.from('hello world').toString('base64'), 'capsule integrity check failed: not a capsule'],
    [bytes.subarray(0, 30).toString('base64'), 'capsule integrity check failed: truncated capsule'],
  ];
  for (const [capsule, message] of cases) await rejects(h.call('update', 'load', { read_context: 'default', capsule }), 'invalid', message);
  const logged = await h.accessLog({ order: 'asc' });
  assert.deepEqual(logged.slice(1).map((r) => [r.capsule, r.error]), cases.map(([, m]) => [null, m]));
  // The read context is named on every load: left out, it was `default` (allow everything), a
  // parameter no policy's allowed_parameters checks.
  for (const readContext of [undefined, '']) {
    await rejects(h.call('update', 'load', { capsule: bytes.toString('base64'), read_context: readContext }), 'invalid', 'missing or invalid "read_context": expected a non-empty string');
  }
});

test('a load without a required read parameter is refused and logged', async () => {
  const h = await harness();
  await h.call('update', 'read-context/support', {
    required_parameters: [{ key: 'ticket', required: true, description: 'ticket id' }, { key: 'note', required: false }],
  });
  const { id, bytes } = await sealed(h);
  await rejects(
    h.call('update', 'load', { capsule: bytes.toString('base64'), read_context: 'support', parameters: { note: 'x' } }),
    'invalid',
    'missing required read parameter(s) for read context "support": ticket',
  );
  const [failure] = await h.accessLog();
  assert.equal(failure.capsule, id);
  assert.equal(failure.operation, 'open');
  assert.equal(failure.error, 'missing required read parameter(s) for read context "support": ticket');
});

test('DenyCapsule refuses the load and logs a read record with the error', async () => {
  const h = await harness();
  await h.call('update', 'read-context/locked', {
    parameters: [{ key: 'purpose', required: true }],
    rules: [
      { match: { parameters: { purpose: 'marketing' }, tags: [{ name: 'tag.sealtrail.io/pii/*' }] }, effect: 'DenyCapsule', priority: 1 },
    ],
  });
  const { bytes } = await sealed(h);
  const capsule = bytes.toString('base64');
  await rejects(h.call('update', 'load', { capsule, read_context: 'locked', parameters: { purpose: 'marketing' } }), 'permission', 'read context "locked" denies access to this capsule');
  const [denied] = await h.accessLog();
  assert.equal(denied.operation, 'read');
  assert.equal(denied.error, 'read context "locked" denies access to this capsule');
  assert.deepEqual(denied.read_info, {
    parameters: { purpose: 'marketing' }, read_context: `${DOMAIN}::locked`,
    allowed_tags: EMPTY_SUMMARY, redacted_tags: EMPTY_SUMMARY, tokenized_tags: EMPTY_SUMMARY, returned_records: 0, filtered_records: 0,
  });
  // Another purpose is not matched by the rule.
  const { data } = (await h.call('update', 'load', { capsule, read_context: 'locked', parameters: { purpose: 'billing' } }))!;
  assert.equal(data!.data, 'mail ann@example.org');
});

test('no record, no data: when the access log cannot be written, the load returns nothing', async () => {
  let failLogs = false;
  const h = await harness({
    wrap: (s): Storage => ({
      ...s,
      put: (key, value) => (failLogs && key.startsWith('log/access/') ? Promise.reject(new Error('disk full')) : s.put(key, value)),
      transaction: (ops) => (failLogs && ops.some((o) => o.key.startsWith('log/access/')) ? Promise.reject(new Error('disk full')) : s.transaction(ops)),
    }),
  });
  const { bytes } = await sealed(h);
  failLogs = true;
  await rejects(h.call('update', 'load', { read_context: 'default', capsule: bytes.toString('base64') }), 'internal', 'capsule log write failed');
  await rejects(h.call('update', 'encapsulate', { data: 'x' }), 'internal', 'capsule log write failed');
});

test('capsules of another domain and unknown contexts are refused', async () => {
  const h = await harness();
  const other = createCapsuleBackend({ mount: { ...mount, uuid: '00000000-0000-4000-8000-000000000001' }, storage: createMemoryStorage(), clock: h.clock });
  const { data } = (await other.handleRequest(request('update', 'encapsulate', { data: 'x' })))!;
  await rejects(
    h.call('update', 'load', { read_context: 'default', capsule: data!.capsule }),
    'invalid',
    `capsule belongs to domain ${other.domain}, not ${DOMAIN}`,
  );
  const { bytes } = await sealed(h);
  await rejects(h.call('update', 'load', { capsule: bytes.toString('base64'), read_context: 'nope' }), 'invalid', 'unknown read context "nope"');
  await rejects(h.call('update', 'encapsulate', { data: 'x', write_context: 'nope' }), 'invalid', 'unknown write context "nope"');
  await rejects(h.call('update', 'encapsulate', { data: 'x', records: [] }), 'invalid', 'give exactly one of "data" (text), "records" or "table"');
  await rejects(h.call('update', 'encapsulate', { records: [{ a: { nested: 1 } }] }), 'invalid', 'records[0].a: values must be strings, numbers, booleans or null (nested values are not supported)');
});

test('location and read parameters, which every access record of the request repeats, are bounded', async () => {
  const h = await harness();
  const { bytes } = await sealed(h);
  const capsule = bytes.toString('base64');
  // At the bounds: accepted and logged as sent.
  const params = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`${'k'.repeat(125)}${String(i).padStart(3, '0')}`, 'v'.repeat(1024)]));
  await h.call('update', 'load', { read_context: 'default', capsule, location: 'l'.repeat(1024), parameters: params });
  const [read] = await h.accessLog({ operation: 'read', num_results: 1 });
  assert.equal(read.location, 'l'.repeat(1024));
  assert.deepEqual((read.read_info as { parameters: unknown }).parameters, params);
  await h.call('update', 'encapsulate', { data: 'x', location: 'l'.repeat(1024) });

  const before = (await h.accessLog({ num_results: 1000 })).length;
  const location = '"location" must be a string of at most 1024 characters';
  await rejects(h.call('update', 'encapsulate', { data: 'x', location: 'l'.repeat(1025) }), 'invalid', location);
  await rejects(h.call('update', 'load', { read_context: 'default', capsule, location: 'l'.repeat(20 * 1024 * 1024) }), 'invalid', location);
  const parameters = '"parameters" must be an object of at most 64 strings, each key at most 128 characters and each value at most 1024';
  await rejects(h.call('update', 'load', { read_context: 'default', capsule, parameters: { ...params, one: 'more' } }), 'invalid', parameters);
  await rejects(h.call('update', 'load', { read_context: 'default', capsule, parameters: { ['k'.repeat(129)]: 'v' } }), 'invalid', parameters);
  await rejects(h.call('update', 'load', { read_context: 'default', capsule, parameters: { k: 'v'.repeat(1025) } }), 'invalid', parameters);
  // A key over the bound is not echoed in the error (nor in a log record), whatever its value.
  await rejects(h.call('update', 'load', { read_context: 'default', capsule, parameters: { ['k'.repeat(129)]: {} } }), 'invalid', parameters);
  assert.equal((await h.accessLog({ num_results: 1000 })).length, before, 'refused before anything is opened or logged');
});
