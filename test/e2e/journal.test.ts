/**
 * The journal end to end on the real dev server: an enclave attests (dev enclave), reads a secret,
 * has KMS decrypt a data key for it (Recipient) and loads a capsule; the journal's timeline for
 * its entity tells that story in order, each record of the right kind, joined by request id,
 * correlation id and the recipient's attested identity. Also: the query API's filters and cursors.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateKeyCommand, DecryptCommand, GenerateDataKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { createDevEnclave, loadDevCaFromDir, type DevEnclave } from '../../src/attestation/index.js';
import { SealtrailClient, apmLogin } from '../../src/sdk/index.js';
import { encapsulate } from '../../src/sdk/capsule.js';
import { systemClock } from '../../src/lib/clock.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { runIn } from '../cli/harness.js';

const SIGNER = '7b'.repeat(48);
const IMAGE = 'c4'.repeat(48);

let server: TestServer;
let root: SealtrailClient;
let enclave: DevEnclave;
let kms: KMSClient;

type View = { seq: number; time: string; kind: string; request_id: string | null; entity_id: string | null; accessor: string | null; correlation_id: string | null; path: string | null; record: any };

const journal = async (path: string, query: Record<string, string>, token = server.rootToken) => {
  const r = await call(server.address, 'GET', `sys/journal/${path}?${new URLSearchParams(query)}`, { token });
  return r;
};

before(async () => {
  server = await startDevServer();
  root = new SealtrailClient({ address: server.address, token: server.rootToken });
  const ca = await loadDevCaFromDir(join(server.dir, 'dev-ca'));
  enclave = createDevEnclave({ ca, clock: systemClock, pcrs: { 0: IMAGE, 8: SIGNER } });
  kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials, maxAttempts: 1 });
  await root.kv('secret').put('enclave/db', { password: 'journal-test-password' });
  await root.write('sys/policies/acl/enclave', {
    policy: 'path "secret/data/enclave/db" { capabilities = ["read"] }\npath "capsule/load" { capabilities = ["update"] }',
  });
  await root.write('auth/apm/role/enclave', { platform: 'nitro', signer_id: SIGNER, token_policies: 'enclave' });
});
after(async () => {
  kms?.destroy();
  await server?.stop();
});

test('an enclave\'s timeline: attestation, token, secret read, KMS call and capsule load, in order', async () => {
  const capsule = await encapsulate(root, 'the enclave may read this', { writeContext: 'default' });
  const key = await kms.send(new CreateKeyCommand({}));
  const dataKey = await kms.send(new GenerateDataKeyCommand({ KeyId: key.KeyMetadata!.KeyId, KeySpec: 'AES_256' }));

  const login = await apmLogin(new SealtrailClient({ address: server.address, token: '' }), {
    platform: 'nitro', attest: (challenge) => enclave.attest({ nonce: challenge }),
  });
  const asEnclave = new SealtrailClient({ address: server.address, token: login.token });
  assert.equal((await asEnclave.kv('secret').get<{ password: string }>('enclave/db'))?.data?.data?.password, 'journal-test-password');
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const recipient = { AttestationDocument: enclave.attest({ publicKey: publicKey.export({ type: 'spki', format: 'der' }) }), KeyEncryptionAlgorithm: 'RSAES_OAEP_SHA_256' as const };
  const decrypted = await kms.send(new DecryptCommand({ CiphertextBlob: dataKey.CiphertextBlob, Recipient: recipient }));
  assert.ok(decrypted.CiphertextForRecipient, 'KMS answered for the recipient');
  const loaded = await call(server.address, 'POST', 'capsule/load', { token: login.token, body: { capsule: capsule.capsule, read_context: 'default' } });
  assert.equal(loaded.status, 200, loaded.text);

  const r = await journal('timeline', { entity_id: login.entityId });
  assert.equal(r.status, 200, r.text);
  const groups = r.json.data.groups as { request_id: string; records: View[] }[];
  const story = groups.map((g) => ({ path: g.records[0].record.request?.path ?? g.records[0].kind, kinds: g.records.map((x) => x.kind) }));
  assert.deepEqual(story, [
    { path: 'auth/apm/v0/attest/nitro/init', kinds: ['vault-request', 'vault-response'] },
    { path: 'auth/apm/v0/attest/nitro/auth', kinds: ['vault-request', 'attestation', 'capsule-control', 'vault-response'] },
    { path: 'secret/data/enclave/db', kinds: ['vault-request', 'vault-response'] },
    { path: 'kms/aws/Decrypt', kinds: ['vault-request', 'vault-response', 'cloudtrail'] },
    { path: 'capsule/load', kinds: ['vault-request', 'capsule-access', 'capsule-access', 'vault-response'] },
  ]);
  const all = groups.flatMap((g) => g.records);
  const seqs = all.map((x) => x.seq);
  assert.deepEqual(all.map((x) => x.time), [...all.map((x) => x.time)].sort(), 'oldest first');
  assert.equal(new Set(seqs).size, seqs.length, 'no record twice');

  const attestation = all.find((x) => x.kind === 'attestation')!;
  assert.equal(attestation.record.verdict, 'granted');
  assert.equal(attestation.record.correlation_id, login.correlationId);
  assert.equal(attestation.record.measurements['0'], IMAGE);
  assert.equal(attestation.entity_id, login.entityId);
  const event = all.find((x) => x.kind === 'cloudtrail')!;
  assert.equal(event.record.eventName, 'Decrypt');
  assert.equal(event.record.requestID, event.request_id);
  assert.equal(event.entity_id, login.entityId, 'the recipient\'s attested identity is the enclave\'s entity');
  const access = all.filter((x) => x.kind === 'capsule-access').map((x) => x.record.operation);
  assert.deepEqual(access, ['open', 'read']);
  // A capsule record names its request in its own text (which the ledger covers), not only in a key.
  assert.equal(loaded.json.request_id, groups[4].request_id);
  for (const x of all.filter((y) => y.kind.startsWith('capsule-'))) assert.equal(x.record.request_id, x.request_id, x.kind);
  assert.deepEqual(groups[4].records.filter((x) => x.kind === 'capsule-access').map((x) => x.record.request_id), [loaded.json.request_id, loaded.json.request_id]);

  // The same story by the token's accessor (hashed server-side) starts at the login that issued it.
  const byAccessor = await journal('timeline', { accessor: login.accessor });
  assert.equal(byAccessor.status, 200, byAccessor.text);
  const accessorPaths = (byAccessor.json.data.groups as { records: View[] }[]).map((g) => g.records[0].record.request?.path);
  assert.deepEqual(accessorPaths, ['auth/apm/v0/attest/nitro/init', 'auth/apm/v0/attest/nitro/auth', 'secret/data/enclave/db', 'capsule/load']);

  // By the login's correlation id: the login, not the searches that named it (asked twice, so the
  // first search's entries would be in the second's answer).
  await journal('timeline', { correlation_id: login.correlationId });
  const byCorrelation = await journal('timeline', { correlation_id: login.correlationId });
  const correlated = (byCorrelation.json.data.groups as { records: View[] }[]).flatMap((g) => g.records);
  assert.ok(correlated.length > 0);
  const paths = correlated.map((r) => r.record.request?.path ?? r.kind);
  assert.ok(paths.includes('attestation') && paths.includes('auth/apm/v0/attest/nitro/auth'), JSON.stringify(paths));
  assert.ok(!paths.some((p) => p.startsWith('sys/journal/')), JSON.stringify(paths));
  const nobody = await journal('records', { correlation_id: '3f1c2f7e-1111-4222-8333-444455556666' });
  assert.deepEqual((await journal('records', { correlation_id: '3f1c2f7e-1111-4222-8333-444455556666' })).json.data.records, [], 'a search is not part of the id it names');
  assert.equal(nobody.status, 200);
});

test('records: every filter, both orders, and cursors that neither skip nor repeat while records arrive', async () => {
  for (let i = 0; i < 6; i++) await root.kv('secret').put(`paging/${i}`, { n: String(i) });
  const first = await journal('records', { path_prefix: 'secret/data/paging/', limit: '4', order: 'asc' });
  assert.equal(first.status, 200, first.text);
  const seen: View[] = [...first.json.data.records];
  let cursor: string | null = first.json.data.next_cursor;
  for (let page = 0; cursor && page < 10; page++) {
    await root.kv('secret').put('paging/late', { n: 'late' }); // arrives between pages
    const next = await journal('records', { path_prefix: 'secret/data/paging/', limit: '4', order: 'asc', cursor });
    assert.equal(next.status, 200, next.text);
    seen.push(...next.json.data.records);
    cursor = next.json.data.next_cursor;
  }
  assert.equal(seen.length, 12, 'six writes, a request and a response entry each');
  assert.equal(new Set(seen.map((x) => x.seq)).size, 12);
  assert.ok(seen.every((x) => x.record.request.path.startsWith('secret/data/paging/') && !x.record.request.path.endsWith('late')));

  const desc = await journal('records', { path_prefix: 'secret/data/paging/', kind: 'vault-response', order: 'desc', limit: '1000' });
  const descPaths = (desc.json.data.records as View[]).map((x) => x.record.request.path);
  assert.equal(descPaths[0], 'secret/data/paging/late');
  assert.ok((desc.json.data.records as View[]).every((x) => x.kind === 'vault-response'));

  const failed = await call(server.address, 'GET', 'secret/data/nothing-here', { token: 'not-a-token' });
  assert.equal(failed.status, 403);
  const failures = await journal('records', { outcome: 'failure', path_prefix: 'secret/data/nothing-here' });
  assert.ok((failures.json.data.records as View[]).length >= 1);
  assert.ok((failures.json.data.records as View[]).every((x) => x.record.error));
});

test('bad queries are 400s that name the parameter and echo no value; a cursor only pages the query that issued it', async () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ kind: 'secrets' }, /"kind" must be among/],
    [{ since: 'yesterday' }, /"since" must be an RFC 3339 time/],
    [{ limit: '1001' }, /"limit" must be an integer from 1 to 1000/],
    [{ limit: '-1' }, /"limit"/],
    [{ order: 'sideways' }, /"order" must be asc or desc/],
    [{ outcome: 'maybe' }, /"outcome" must be success or failure/],
    [{ tokenid: 'hvs.leak' }, /unknown parameter "tokenid"/],
    [{ cursor: 'not-a-cursor' }, /"cursor" is not a cursor this query issued/],
  ];
  for (const [query, message] of cases) {
    const r = await journal('records', query);
    assert.equal(r.status, 400, `${JSON.stringify(query)}: ${r.text}`);
    assert.match(r.json.errors[0], message);
    assert.ok(!r.text.includes('hvs.leak') && !r.text.includes('yesterday'), 'no value echoed');
  }
  const page = await journal('records', { kind: 'vault-request', limit: '1' });
  const reused = await journal('records', { kind: 'vault-response', limit: '1', cursor: page.json.data.next_cursor });
  assert.equal(reused.status, 400);
  assert.equal((await journal('timeline', { entity_id: 'a', request_id: 'b' })).status, 400);
});

test('times the journal cannot hold, impossible dates and forged cursors are 400s that name the parameter, never 500s', async () => {
  const cases: [Record<string, string>, string][] = [
    [{ since: '2262-04-11T23:47:16.854775808Z' }, 'journal_invalid_filter'],
    [{ since: '0000-01-01T00:00:00Z' }, 'journal_invalid_filter'],
    [{ until: '1677-09-21T00:12:43.145224191Z' }, 'journal_invalid_filter'],
    [{ since: '2026-02-30T00:00:00Z' }, 'journal_invalid_filter'],
    [{ since: '2026-12-05T24:00:00Z' }, 'journal_invalid_filter'],
  ];
  for (const [query] of cases) {
    const r = await journal('records', query);
    assert.equal(r.status, 400, `${JSON.stringify(query)}: ${r.text}`);
    assert.match(r.json.errors[0], /^"(since|until)" must be an RFC 3339 time such as 2026-01-02T03:04:05Z, a real date and time from 1677-09-21T00:12:43.145224192Z to 2262-04-11T23:47:16.854775807Z$/);
  }
  // A cursor is unkeyed: anyone can make one with the right fingerprint and any time.
  const page = await journal('records', { limit: '2' });
  const issued = JSON.parse(Buffer.from(page.json.data.next_cursor, 'base64url').toString('utf8'));
  const forged = Buffer.from(JSON.stringify({ ...issued, t: '99999999999999999999' })).toString('base64url');
  const r = await journal('records', { limit: '2', cursor: forged });
  assert.equal(r.status, 400, r.text);
  assert.match(r.json.errors[0], /"cursor" is not a cursor this query issued/);
  assert.equal((await journal('records', { limit: '2', cursor: page.json.data.next_cursor })).status, 200, 'the issued cursor still pages');
});

test('a policy\'s parameter constraints hold: an empty value or a path spelled another way is refused, not read as another filter', async () => {
  await root.write('sys/policies/acl/journal-own', {
    policy: 'path "sys/journal/records" {\n capabilities = ["read"]\n required_parameters = ["entity_id"]\n}',
  });
  await root.write('sys/policies/acl/journal-no-sys', {
    policy: 'path "sys/journal/records" {\n capabilities = ["read"]\n required_parameters = ["path_prefix"]\n denied_parameters = { "path_prefix" = ["sys/*", "auth/*"] }\n}',
  });
  const own = (await root.write('auth/token/create', { policies: ['journal-own'] }))!.auth!.client_token;
  const noSys = (await root.write('auth/token/create', { policies: ['journal-no-sys'] }))!.auth!.client_token;

  assert.equal((await journal('records', {}, own)).status, 403);
  assert.equal((await journal('records', { entity_id: 'nobody' }, own)).status, 200);
  const empty = await journal('records', { entity_id: '' }, own);
  assert.equal(empty.status, 400, 'an empty value is no filter: it would read every record');
  assert.deepEqual(empty.json.errors, ['"entity_id" is empty: leave the parameter out rather than send it without a value']);

  assert.equal((await journal('records', { path_prefix: 'sys/' }, noSys)).status, 403);
  for (const alias of ['/sys/', '/v1/sys/', '/v1/auth/', '//sys/']) {
    const r = await journal('records', { path_prefix: alias }, noSys);
    assert.equal(r.status, 400, `${alias}: ${r.text}`);
    assert.match(r.json.errors[0], /^"path_prefix" is a request path as the journal keeps it, without a leading "\/" or "\/v1\/"/);
  }
  // Taken as written, v1/sys/ is a mount called v1: none here, so nothing of sys/.
  const literal = await journal('records', { path_prefix: 'v1/sys/' }, noSys);
  assert.equal(literal.status, 200, literal.text);
  assert.deepEqual(literal.json.data.records, []);
  assert.equal((await journal('records', { path_prefix: '' }, noSys)).status, 400);
});

test('an allowed glob for kind admits a query only when it allows every kind the query reads', async () => {
  await root.write('sys/policies/acl/journal-vault-kinds', {
    policy: 'path "sys/journal/records" {\n capabilities = ["read"]\n required_parameters = ["kind"]\n allowed_parameters = { "kind" = ["vault-*"], "limit" = [], "order" = [] }\n}',
  });
  const token = (await root.write('auth/token/create', { policies: ['journal-vault-kinds'] }))!.auth!.client_token;

  assert.equal((await journal('records', { kind: 'cloudtrail' }, token)).status, 403);
  // Allowed as a whole string (it starts with vault-), but the query reads every kind it names.
  const every = await journal('records', { kind: 'vault-response,cloudtrail,attestation,capsule-access,capsule-control,server', limit: '1000' }, token);
  assert.equal(every.status, 403, every.text);
  assert.equal((await journal('records', { kind: 'vault-response,server' }, token)).status, 403);
  const own = await journal('records', { kind: 'vault-response,vault-response', limit: '1000' }, token);
  assert.equal(own.status, 200, own.text);
  assert.ok(own.json.data.records.length > 0);
  assert.deepEqual([...new Set(own.json.data.records.map((r: View) => r.kind))], ['vault-response']);
});

test('a denied limit or after_seq cannot be sent with leading zeros: the query refuses every spelling but one', async () => {
  await root.write('sys/policies/acl/journal-small-pages', {
    policy: 'path "sys/journal/*" {\n capabilities = ["read"]\n denied_parameters = { "limit" = ["1000"], "after_seq" = ["-1"] }\n}',
  });
  const token = (await root.write('auth/token/create', { policies: ['journal-small-pages'] }))!.auth!.client_token;
  assert.equal((await journal('records', { limit: '1000' }, token)).status, 403);
  assert.equal((await journal('records', { after_seq: '-1' }, token)).status, 403);
  for (const [path, query] of [
    ['records', { limit: '01000' }], ['records', { limit: '001000' }], ['timeline', { entity_id: 'nobody', limit: '01000' }],
    ['records', { after_seq: '00' }], ['records', { after_seq: '007' }],
  ] as const) {
    const r = await journal(path, query, token);
    assert.equal(r.status, 400, `${path} ${JSON.stringify(query)}: ${r.text}`);
    assert.match(r.json.errors[0], /^"(limit|after_seq)" must be .*without leading zeros/);
  }
  assert.equal((await journal('records', { limit: '999', after_seq: '0' }, token)).status, 200);
});

test('a page and a timeline carry their records once, under data; a Vault sys path keeps its top-level copy', async () => {
  const page = await journal('records', { kind: 'vault-response', limit: '3' });
  assert.equal(page.status, 200, page.text);
  assert.equal(page.json.data.records.length, 3);
  assert.deepEqual([page.json.records, page.json.next_cursor], [undefined, undefined]);
  const entity = page.json.data.records.find((r: View) => r.entity_id)?.entity_id ?? 'nobody';
  const story = await journal('timeline', { entity_id: entity });
  assert.equal(story.status, 200, story.text);
  assert.ok(Array.isArray(story.json.data.groups));
  assert.deepEqual([story.json.groups, story.json.truncated, story.json.next_since], [undefined, undefined, undefined]);
  // Vault's clients read a sys/ answer's data at the top level too (sys/mounts: the mounts by path).
  const mounts = await call(server.address, 'GET', 'sys/mounts', { token: server.rootToken });
  assert.equal(mounts.json['secret/'].type, mounts.json.data['secret/'].type);
});

test('a token without a policy for sys/journal is refused; a policy grants read without sudo', async () => {
  const plain = await root.write('auth/token/create', { policies: ['default'] });
  const denied = await journal('records', {}, plain!.auth!.client_token);
  assert.equal(denied.status, 403);
  await root.write('sys/policies/acl/journal-reader', { policy: 'path "sys/journal/*" { capabilities = ["read"] }' });
  const reader = await root.write('auth/token/create', { policies: ['journal-reader'] });
  const allowed = await journal('records', { limit: '1' }, reader!.auth!.client_token);
  assert.equal(allowed.status, 200, allowed.text);
});

test('the CLI: search, timeline, tail and export', async () => {
  const env = { SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken };
  await root.kv('secret').put('cli/one', { v: '1' });
  const search = await runIn(['journal', 'search', '--path-prefix', 'secret/data/cli/', '--kind', 'vault-response', '-format=json'], { env });
  assert.equal(search.code, 0, search.stderr);
  const found = JSON.parse(search.stdout) as { records: View[]; next_cursor: string | null };
  assert.equal(found.records.length, 1);
  assert.equal(found.records[0].record.request.path, 'secret/data/cli/one');
  const table = await runIn(['journal', 'search', '--path-prefix', 'secret/data/cli/'], { env });
  assert.match(table.stdout.split('\n')[0], /^Seq\s+Time\s+Kind\s+Request ID\s+Path\s+Operation\s+Outcome$/);
  assert.equal(table.stdout.trim().split('\n').length, 4, 'header, underline, two entries');
  // Server events have no request or path: the operation column tells them apart.
  const events = await runIn(['journal', 'search', '--kind', 'server', '--order', 'asc', '--limit', '1'], { env });
  assert.match(events.stdout.split('\n')[2] ?? '', /\sserver\s+n\/a\s+n\/a\s+(start|unseal)\s+success$/, events.stdout);

  const requestId = found.records[0].request_id!;
  const timelineRun = await runIn(['journal', 'timeline', '--request-id', requestId, '-format=json'], { env });
  assert.equal(timelineRun.code, 0, timelineRun.stderr);
  assert.deepEqual(JSON.parse(timelineRun.stdout).groups.map((g: { request_id: string }) => g.request_id), [requestId]);
  const neither = await runIn(['journal', 'timeline'], { env });
  assert.notEqual(neither.code, 0);
  assert.match(neither.stderr, /exactly one of --entity-id/);

  // tail prints what arrives after the record it starts from, and keeps waiting for more.
  const newest = (await journal('records', { limit: '1' })).json.data.records[0].seq as number;
  const tail = runIn(['journal', 'tail', '--path-prefix', 'secret/data/cli/', '--after-seq', String(newest), '--max-records', '2', '-format=json'], { env });
  await root.kv('secret').put('cli/two', { v: '2' });
  const tailed = await tail;
  assert.equal(tailed.code, 0, tailed.stderr);
  const lines = tailed.stdout.trim().split('\n').map((l) => JSON.parse(l) as View);
  assert.deepEqual(lines.map((l) => [l.kind, l.record.request.path]), [['vault-request', 'secret/data/cli/two'], ['vault-response', 'secret/data/cli/two']]);

  // Unfiltered, tail leaves out its own reads (journal records too): it neither shows them nor
  // polls on them without pause.
  const start = await journal('records', { limit: '1' });
  const before = start.json.data.records[0].seq as number;
  // This test's own read is any client's: the tail shows its response entry, which follows `before`.
  const wide = runIn(['journal', 'tail', '--after-seq', String(before), '--max-records', '3', '-format=json'], { env });
  await new Promise((r) => setTimeout(r, 1500));
  await root.kv('secret').put('cli/three', { v: '3' });
  const widely = await wide;
  assert.equal(widely.code, 0, widely.stderr);
  assert.deepEqual(widely.stdout.trim().split('\n').map((l) => JSON.parse(l) as View).map((v) => (v.request_id === start.json.request_id ? 'this test\'s read' : v.path)),
    ['this test\'s read', 'secret/data/cli/three', 'secret/data/cli/three'], 'the tail\'s own reads are not shown');
  const polls = (await journal('records', { path_prefix: 'sys/journal/records', kind: 'vault-request', after_seq: String(before), limit: '1000' })).json.data.records.length as number;
  assert.ok(polls <= 8, `${polls} reads in about 2 s: the tail waits between polls that find only its own reads`);

  const exported = await runIn(['journal', 'export', '--path-prefix', 'secret/data/cli/'], { env });
  assert.equal(exported.code, 0, exported.stderr);
  const rows = exported.stdout.trim().split('\n');
  assert.equal(rows.length, 6, 'cli/one, two and three: a request and a response entry each');
  const texts = await journal('records', { path_prefix: 'secret/data/cli/', order: 'asc', format: 'raw' });
  assert.deepEqual(rows.map((line) => JSON.stringify(JSON.parse(line).record)), (texts.json.data.records as { text: string }[]).map((r) => r.text),
    'each line carries the record\'s text as the journal keeps it');
});

test('server events: the start and the unseal are in the journal', async () => {
  const r = await journal('records', { kind: 'server', order: 'asc' });
  assert.equal(r.status, 200, r.text);
  const events = (r.json.data.records as View[]).map((x) => x.record.event);
  assert.deepEqual(events.slice(0, 2), ['unseal', 'start']);
  assert.ok((r.json.data.records as View[]).every((x) => x.record.type === 'server'));
});

test('a timeline is read in parts by next_cursor, over the API and the CLI; a cursor of other filters is refused', async () => {
  const made = await root.write('auth/token/create', { policies: ['default'] });
  const accessor = made!.auth!.accessor;
  const token = new SealtrailClient({ address: server.address, token: made!.auth!.client_token });
  for (let i = 0; i < 3; i++) await token.read('auth/token/lookup-self');
  const whole = await journal('timeline', { accessor });
  assert.equal(whole.status, 200, whole.text);
  const all = whole.json.data.groups.flatMap((g: { records: View[] }) => g.records.map((r) => r.seq));
  const seen: number[] = [];
  let cursor: string | undefined;
  for (let n = 0; n < 20; n++) {
    const part = await journal('timeline', { accessor, limit: '1', ...(cursor ? { cursor } : {}) });
    assert.equal(part.status, 200, part.text);
    seen.push(...part.json.data.groups.flatMap((g: { records: View[] }) => g.records.map((r) => r.seq)));
    if (!part.json.data.truncated) break;
    cursor = part.json.data.next_cursor;
    assert.equal(typeof cursor, 'string');
  }
  assert.deepEqual(seen, all, 'the parts hold the whole timeline, each record once');
  const first = await journal('timeline', { accessor, limit: '1' });
  const other = await journal('timeline', { accessor, limit: '1', since: '2000-01-01T00:00:00Z', cursor: first.json.data.next_cursor });
  assert.equal(other.status, 400, other.text);
  const page = await journal('records', { limit: '1' });
  assert.equal((await journal('timeline', { accessor, cursor: page.json.data.next_cursor })).status, 400);
  const env = { SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken };
  const cli = await runIn(['journal', 'timeline', '--accessor', accessor, '--cursor', first.json.data.next_cursor, '-format=json'], { env });
  assert.equal(cli.code, 0, cli.stderr);
  assert.equal(JSON.parse(cli.stdout).groups[0].records[0].seq, seen[first.json.data.groups.flatMap((g: { records: View[] }) => g.records).length]);
});

test('tail starts after the newest record now, though an imported log put a record in the future', async () => {
  const env = { SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken };
  const line = JSON.parse(readFileSync(join(server.dir, 'audit.log'), 'utf8').split('\n')[0]) as { time: string; request: { id: string } };
  const future = join(server.dir, 'future.log');
  writeFileSync(future, `${JSON.stringify({ ...line, time: '2099-01-01T00:00:00Z', request: { ...line.request, id: 'from-the-future' } })}\n`);
  const imported = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', join(server.dir, 'journal.db'), future], { env });
  assert.equal(imported.code, 0, imported.stderr);
  await root.kv('secret').put('tail/before', { v: '1' });
  const before = await journal('records', { after_seq: '-1', limit: '1000' });
  const tail = runIn(['journal', 'tail', '--max-records', '1', '--path-prefix', 'secret/data/tail/', '-format=json'], { env });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  await root.kv('secret').put('tail/after', { v: '2' });
  const done = await tail;
  assert.equal(done.code, 0, done.stderr);
  const shown = JSON.parse(done.stdout) as View;
  assert.equal(shown.path, 'secret/data/tail/after', `the first record shown is one written after the tail started (seq ${shown.seq}; ${before.json.data.records.length} records before)`);
});
