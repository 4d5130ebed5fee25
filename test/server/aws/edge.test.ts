/**
 * The AWS edge against the attacker: unsigned and badly signed calls, swapped targets, unknown
 * operations and undeclared members. Only authenticated calls to known operations become
 * CloudTrail events; every call is in the Vault-format audit log; nothing undeclared is recorded.
 * The same call through `/v1/kms/aws/<Op>` is one event too, joined to its audit entries by id.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { connect } from 'node:net';
import { once } from 'node:events';
import { request } from 'node:http';
import { CreateAliasCommand, CreateKeyCommand, DescribeKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { SignatureV4 } from '@smithy/signature-v4';
import { ACCOUNT, REGION, startKmsServer, type KmsTestServer } from './harness.js';

class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | Uint8Array) { this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret); }
  update(data: string | Uint8Array) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

let server: KmsTestServer;
let kms: KMSClient;
let dir: string;
let trailDir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-aws-edge-'));
  trailDir = join(dir, 'trail-out');
  const configPath = join(dir, 'trail.hcl');
  writeFileSync(configPath, `trail "main" {\n  directory = "${trailDir}"\n  bucket = "b"\n}\n`);
  server = await startKmsServer({ configPath, devDataDir: dir });
  kms = new KMSClient({ endpoint: server.endpoint, region: REGION, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, maxAttempts: 1 });
});
after(async () => {
  kms?.destroy();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

type AuditEntry = { type: string; error?: string; request: { id: string; path: string; data?: Record<string, unknown> } };
const auditEntries = (): AuditEntry[] => readFileSync(server.auditFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
const entriesOf = (id: string) => auditEntries().filter((e) => e.request.id === id);

/** A raw AWS JSON call signed with the dev user's key (as the SDK signs it), or not signed at all. */
async function signed(target: string, body: unknown, opts: { unsigned?: string[]; secret?: string } = {}) {
  return signedText(target, JSON.stringify(body), opts);
}

/** The same with the body's exact text, JSON or not. */
async function signedText(target: string, body: string, opts: { unsigned?: string[]; secret?: string } = {}) {
  const url = new URL(server.endpoint);
  const signer = new SignatureV4({ credentials: { accessKeyId: server.accessKeyId, secretAccessKey: opts.secret ?? server.secretAccessKey }, region: REGION, service: 'kms', sha256: NodeSha256 as never });
  const req = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body,
  }, { unsignableHeaders: new Set(opts.unsigned ?? []) });
  return { headers: req.headers as Record<string, string>, body };
}

async function send(call: { headers: Record<string, string>; body: string }) {
  const { host: _host, ...headers } = call.headers;
  const res = await fetch(server.endpoint, { method: 'POST', headers, body: call.body });
  return { status: res.status, requestId: res.headers.get('x-amzn-requestid') ?? '', json: (await res.json()) as { __type: string; message?: string } };
}

const unsigned = (target: string, body: string) => send({ headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body });

test('a signed DescribeKey re-sent with another X-Amz-Target is refused and the key is untouched', async () => {
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const call = await signed('TrentService.DescribeKey', { KeyId: keyId });
  assert.match(call.headers.authorization, /SignedHeaders=[^,]*x-amz-target/);
  assert.equal((await send(call)).status, 200);
  const swapped = await send({ ...call, headers: { ...call.headers, 'x-amz-target': 'TrentService.DisableKey' } });
  assert.equal(swapped.status, 400);
  assert.equal(swapped.json.__type, 'InvalidSignatureException');
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState, 'Enabled');
  assert.ok(!server.events.some((e) => e.eventName === 'DisableKey'));

  const unsignedTarget = await send(await signed('TrentService.DisableKey', { KeyId: keyId }, { unsigned: ['x-amz-target'] }));
  assert.deepEqual([unsignedTarget.status, unsignedTarget.json], [400, { __type: 'IncompleteSignatureException', message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization." }]);
  for (const [drop, message] of [['host', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."], ['x-amz-date', "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."]]) {
    const c = await signed('TrentService.DisableKey', { KeyId: keyId });
    c.headers.authorization = c.headers.authorization.replace(/SignedHeaders=([^,]*)/, (_m, list: string) => `SignedHeaders=${list.split(';').filter((h) => h !== drop).join(';')}`);
    const r = await send(c);
    assert.deepEqual([r.status, r.json], [400, { __type: 'IncompleteSignatureException', message }], drop);
  }
  const weird = await signed('TrentService.DisableKey', { KeyId: keyId });
  weird.headers.authorization = weird.headers.authorization.replace(/SignedHeaders=([^,]*)/, 'SignedHeaders=$1;constructor;__proto__');
  const r = await send(weird);
  assert.equal(r.status, 400);
  assert.equal(r.json.__type, 'IncompleteSignatureException');
  assert.equal((await kms.send(new DescribeKeyCommand({ KeyId: keyId }))).KeyMetadata!.KeyState, 'Enabled');
});

test('unsigned, badly signed and unknown-operation calls leave no event but a request and a response audit entry, without their body', async () => {
  const before = server.events.length;
  const canary = 'edge-body-canary-5d1f';
  const cases = [
    await unsigned('TrentService.x', JSON.stringify({ Message: canary })),
    await unsigned('TrentService.Encrypt', JSON.stringify({ KeyId: canary, Plaintext: 'aGk=' })),
    await send(await signed('TrentService.Encrypt', { KeyId: canary }, { secret: 'x'.repeat(40) })),
    await send(await signed('TrentService.GenerateMac', { KeyId: canary, Message: Buffer.from(canary).toString('base64'), MacAlgorithm: 'HMAC_SHA_256' })),
    await unsigned('NoSuchService.Op', '{'),
  ];
  assert.deepEqual(cases.map((c) => [c.status, c.json.__type]), [
    [400, 'MissingAuthenticationTokenException'], [400, 'MissingAuthenticationTokenException'], [400, 'InvalidSignatureException'],
    [400, 'UnknownOperationException'], [400, 'MissingAuthenticationTokenException'],
  ]);
  assert.equal(server.events.length, before, 'no CloudTrail event');
  for (const c of cases) {
    const entries = entriesOf(c.requestId);
    assert.deepEqual(entries.map((e) => e.type), ['request', 'response'], c.json.__type);
    assert.ok((entries[1].error ?? '').length > 0, `the response entry carries the error of ${c.json.__type}`);
    assert.deepEqual(entries[0].request.data ?? {}, {});
  }
  // Refused before the handler (not a JSON content type; unsigned, its body unread; signed, over
  // the body limit): audited all the same.
  const notJson = await send({ headers: { 'content-type': 'text/plain', 'x-amz-target': 'TrentService.Encrypt' }, body: canary });
  const largeUnsigned = await send({ headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt' }, body: JSON.stringify({ KeyId: canary, Pad: 'x'.repeat(1_100_000) }) });
  const tooLarge = await send(await signed('TrentService.Encrypt', { KeyId: canary, Pad: 'x'.repeat(1_100_000) }));
  assert.deepEqual([notJson.status, largeUnsigned.status, largeUnsigned.json.__type, tooLarge.status, tooLarge.json.__type], [400, 400, 'MissingAuthenticationTokenException', 413, 'ValidationException']);
  for (const c of [notJson, largeUnsigned, tooLarge]) assert.deepEqual(entriesOf(c.requestId).map((e) => e.type), ['request', 'response']);
  assert.equal(server.events.length, before, 'no CloudTrail event');
  const audit = readFileSync(server.auditFile, 'utf8');
  assert.ok(!audit.includes(canary) && !audit.includes(Buffer.from(canary).toString('base64')));
});

test('refusals of unauthenticated calls put none of the caller\'s text in the audit log', async () => {
  const canary = 'ADMIN-LOGIN-OK-user-root-5e81';
  const target = 'TrentService.ListKeys';
  const scope = (keyId: string, region = REGION) => `Credential=${keyId}/20250101/${region}/kms/aws4_request`;
  const authorization = (credential: string, signedHeaders = 'host;x-amz-date;x-amz-target') =>
    `AWS4-HMAC-SHA256 ${credential}, SignedHeaders=${signedHeaders}, Signature=${'a'.repeat(64)}`;
  const headers = (extra: Record<string, string>) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target, 'x-amz-date': '20250101T000000Z', ...extra });
  const cases = [
    await send({ headers: headers({ 'x-amz-date': `${canary}\t ok`, authorization: authorization(scope('AKIAX')) }), body: '{}' }),
    await send({ headers: headers({ authorization: authorization(scope('AKIAX'), `host;x-amz-date;x-amz-target;${canary.toLowerCase()}`) }), body: '{}' }),
    await send({ headers: headers({ authorization: authorization(scope(server.accessKeyId, canary.toLowerCase())) }), body: '{}' }),
    await send({ headers: headers({ authorization: authorization(scope(`AKIA${canary}`)) }), body: '{}' }),
    await send({ headers: headers({ 'content-type': `multipart/${canary}` }), body: '{}' }),
  ];
  assert.deepEqual(cases.map((c) => [c.status, c.json.__type]), [
    [400, 'IncompleteSignatureException'], [400, 'IncompleteSignatureException'], [400, 'InvalidSignatureException'],
    [400, 'UnrecognizedClientException'], [400, 'ValidationException'],
  ]);
  for (const c of cases) {
    const entries = entriesOf(c.requestId);
    assert.deepEqual(entries.map((e) => e.type), ['request', 'response'], c.json.__type);
    assert.ok((entries[1].error ?? '').length > 0, `the response entry of ${c.json.__type} carries its error`);
    assert.ok(!(c.json.message ?? '').toLowerCase().includes(canary.toLowerCase()), c.json.message);
  }
  assert.ok(!readFileSync(server.auditFile, 'utf8').toLowerCase().includes(canary.toLowerCase()), 'caller text in the audit log');
});

test('a body is checked and parsed only once its signature verifies; a signed body over the JSON limits is 413', async () => {
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const deep = `${'['.repeat(65)}${']'.repeat(65)}`;
  const wide = (n: number) => `[${Array<string>(n).fill('0').join(',')}]`;
  // Unsigned: refused for the signature, whatever the body holds; none of it is scanned or parsed.
  const unsignedCalls = [
    await unsigned('TrentService.DescribeKey', `{"KeyId":${wide(150_001)}}`),
    await unsigned('TrentService.DescribeKey', `{"KeyId":${deep}}`),
    await unsigned('TrentService.DescribeKey', '{"KeyId":'),
  ];
  for (const c of unsignedCalls) assert.deepEqual([c.status, c.json], [400, { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' }]);
  // Signed: the listener's limits, before JSON.parse.
  const signedRaw = async (body: string) => send(await signedText('TrentService.DescribeKey', body));
  const tooMany = await signedRaw(`{"KeyId":"${keyId}","Pad":${wide(100_001)}}`);
  assert.deepEqual([tooMany.status, tooMany.json], [413, { __type: 'ValidationException', message: 'request JSON has more than 100000 object members and array elements' }]);
  const tooDeep = await signedRaw(`{"KeyId":"${keyId}","Pad":${deep}}`);
  assert.deepEqual([tooDeep.status, tooDeep.json], [400, { __type: 'ValidationException', message: 'request JSON nests deeper than 64 levels' }]);
  const notJson = await signedRaw('{"KeyId":');
  assert.deepEqual([notJson.status, notJson.json.__type], [400, 'SerializationException']);
  const atLimit = await signedRaw(`{"KeyId":"${keyId}","Pad":${wide(99_998)}}`);
  assert.equal(atLimit.status, 200);
  for (const c of [...unsignedCalls, tooMany, tooDeep, notJson]) {
    const entries = entriesOf(c.requestId);
    assert.deepEqual(entries.map((e) => e.type), ['request', 'response'], c.json.__type);
    assert.deepEqual(entries[0].request.data ?? {}, {});
  }
});

/** Sends `head` and the first `sent` bytes of a body over a raw socket; resolves with the answer once the server closes. */
async function rawCall(head: string, sent: string): Promise<{ answered: boolean; text: string }> {
  const url = new URL(server.endpoint);
  const socket = connect(Number(url.port), url.hostname);
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (d: string) => { text += d; });
  await once(socket, 'connect');
  socket.write(head + sent);
  // The rest of the body is never sent: an answer must come without it.
  const closed = once(socket, 'close').then(() => true);
  const answered = await Promise.race([closed, new Promise<boolean>((r) => setTimeout(() => r(false), 5000))]);
  socket.destroy();
  return { answered, text };
}

test('a large body of a call its headers refuse is never read: the refusal comes at once, audited, and the connection closes', async () => {
  const url = new URL(server.endpoint);
  const pad = 'x'.repeat(1024);
  const refusedHeads: [string, string, string][] = [
    ['unsigned, declared 512 KiB', `Content-Length: ${512 * 1024}\r\n`, 'MissingAuthenticationTokenException'],
    ['unsigned, chunked', 'Transfer-Encoding: chunked\r\n', 'MissingAuthenticationTokenException'],
    ['an unknown access key', `Content-Length: ${512 * 1024}\r\nX-Amz-Date: 20261206T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 Credential=AKIAUNKNOWNUNKNOWN00/20261206/${REGION}/kms/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=${'0'.repeat(64)}\r\n`, 'UnrecognizedClientException'],
  ];
  for (const [what, extra, type] of refusedHeads) {
    const head = `POST / HTTP/1.1\r\nHost: ${url.host}\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: TrentService.DescribeKey\r\n${extra}\r\n`;
    const body = extra.includes('chunked') ? `400\r\n${pad}\r\n` : pad;
    const { answered, text } = await rawCall(head, body);
    assert.ok(answered, `${what}: answered and closed without the rest of the body`);
    assert.match(text, /^HTTP\/1\.1 400 /, what);
    assert.match(text, /\r\nconnection: close\r\n/i, what);
    assert.ok(text.includes(`"__type":"${type}"`), `${what}: ${text.slice(-200)}`);
    const requestId = /x-amzn-requestid: (\S+)/i.exec(text)![1];
    const entries = entriesOf(requestId);
    assert.deepEqual(entries.map((e) => [e.type, e.request.path]), [['request', 'kms/aws/DescribeKey'], ['response', 'kms/aws/DescribeKey']], what);
    assert.deepEqual(entries[0].request.data ?? {}, {});
  }
  // A signed call with the same large body is read, verified and answered.
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const large = await send(await signedText('TrentService.DescribeKey', JSON.stringify({ KeyId: keyId, Pad: 'x'.repeat(512 * 1024) })));
  assert.equal(large.status, 200, JSON.stringify(large.json));
});

test('1,000 unsigned calls do not grow the event store, and each is audited', async () => {
  const before = server.events.length;
  const lines = auditEntries().length;
  const started = Date.now();
  let sent = 0;
  for (let batch = 0; batch < 50 && Date.now() - started < 20_000; batch++) {
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => unsigned(`TrentService.Op${String.fromCharCode(65 + (i % 26))}`, '{}')));
    sent += replies.filter((r) => r.status === 400).length;
  }
  assert.equal(sent, 1000);
  assert.equal(server.events.length, before);
  assert.equal(auditEntries().length, lines + 2000);
});

test('only declared members are read, audited or recorded: extra members and a GenerateMac message appear nowhere', async () => {
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const canaries = ['undeclared-member-canary-71', 'nested-member-canary-72', 'mac-message-canary-73', 'extra-tag-member-canary-74'];
  const numberCanary = 918273645;
  const encrypt = await send(await signed('TrentService.Encrypt', {
    KeyId: keyId, Plaintext: Buffer.from('declared plaintext').toString('base64'), EncryptionContext: { app: 'edge' },
    Extra: canaries[0], ExtraNumber: numberCanary, Recipient: undefined, Nested: { deep: canaries[1] },
  }));
  assert.equal(encrypt.status, 200);
  await send(await signed('TrentService.GenerateMac', { KeyId: keyId, Message: Buffer.from(canaries[2]).toString('base64'), MacAlgorithm: 'HMAC_SHA_256' }));
  await send(await signed('TrentService.TagResource', { KeyId: keyId, Tags: [{ TagKey: 'k', TagValue: 'v', Sneaky: canaries[3] }] }));
  const event = server.events.find((e) => e.requestId === encrypt.requestId)!;
  assert.deepEqual(event.requestParameters, { keyId, encryptionContext: { app: 'edge' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
  const tagEvent = server.events[server.events.length - 1];
  assert.deepEqual(tagEvent.requestParameters, { keyId, tags: [{ tagKey: 'k', tagValue: 'v' }] });

  await fetch(`${server.endpoint}/v1/sys/trails/main/deliver`, { method: 'POST', headers: { 'x-vault-token': server.rootToken } });
  const files = readdirSync(trailDir, { recursive: true }).map(String).map((f) => join(trailDir, f)).filter((f) => statSync(f).isFile() && f.endsWith('.json.gz'));
  const trailText = files.map((f) => gunzipSync(readFileSync(f)).toString()).join('\n');
  assert.ok(trailText.includes(encrypt.requestId), 'the Encrypt event was delivered');
  const lookup = await fetch(`${server.endpoint}/v1/trail/aws/LookupEvents`, { method: 'POST', headers: { 'x-vault-token': server.rootToken, 'content-type': 'application/json' }, body: '{"MaxResults":50}' });
  const storeText = JSON.stringify(await lookup.json());
  const audit = readFileSync(server.auditFile, 'utf8');
  for (const [name, text] of [['event store', storeText], ['trail files', trailText], ['audit log', audit], ['events', JSON.stringify(server.events)]] as const) {
    for (const c of [...canaries, Buffer.from(canaries[2]).toString('base64'), String(numberCanary)]) assert.ok(!text.includes(c), `${c} in the ${name}`);
  }
});

test('one event per call whichever door, joined to its audit entries by the request id', async () => {
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const body = { KeyId: keyId, Plaintext: Buffer.from('door').toString('base64'), EncryptionContext: { door: 'both' } };
  const before = server.events.length;
  const aws = await send(await signed('TrentService.Encrypt', body));
  assert.equal(aws.status, 200);
  const vaultRes = await fetch(`${server.endpoint}/v1/kms/aws/Encrypt`, { method: 'POST', headers: { 'x-vault-token': server.rootToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(vaultRes.status, 200);
  const vaultId = ((await vaultRes.json()) as { request_id: string }).request_id;
  const added = server.events.slice(before);
  assert.equal(added.length, 2, 'exactly one event per call');
  const [viaAws, viaVault] = added;
  assert.equal(viaAws.requestId, aws.requestId);
  assert.equal(viaVault.requestId, vaultId);
  for (const e of added) {
    assert.equal(e.eventName, 'Encrypt');
    assert.equal(e.eventSource, 'kms.amazonaws.com');
    assert.equal(e.readOnly, true);
    assert.deepEqual(e.requestParameters, { keyId, encryptionContext: { door: 'both' }, encryptionAlgorithm: 'SYMMETRIC_DEFAULT' });
    assert.deepEqual(e.resources, [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}` }]);
    assert.deepEqual(entriesOf(e.requestId).map((x) => [x.type, x.request.path]), [['request', 'kms/aws/Encrypt'], ['response', 'kms/aws/Encrypt']]);
  }
  assert.equal(viaAws.userIdentity.userName, 'dev');
  assert.deepEqual(viaVault.userIdentity, { type: 'Root', principalId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:root`, accountId: ACCOUNT, accessKeyId: '', userName: '' });
});

test('KMS errors in audit entries do not repeat the request values the entry hashes', async () => {
  const alias = 'alias/edge-secret-alias-name';
  const aws = await send(await signed('TrentService.DescribeKey', { KeyId: alias }));
  assert.equal(aws.json.__type, 'NotFoundException');
  assert.match(aws.json.message!, /edge-secret-alias-name/, 'the client still gets AWS\'s message');
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  await kms.send(new CreateAliasCommand({ AliasName: 'alias/edge-taken', TargetKeyId: keyId }));
  const taken = await send(await signed('TrentService.CreateAlias', { AliasName: 'alias/edge-taken', TargetKeyId: keyId }));
  assert.equal(taken.json.__type, 'AlreadyExistsException');
  const vaultRes = await fetch(`${server.endpoint}/v1/kms/aws/Encrypt`, {
    method: 'POST', headers: { 'x-vault-token': server.rootToken, 'content-type': 'application/json' },
    body: JSON.stringify({ KeyId: 'alias/edge-other-secret-alias', Plaintext: 'aGk=' }),
  });
  assert.equal(vaultRes.status, 404);
  const responses = auditEntries().filter((e) => e.type === 'response' && e.request.path.startsWith('kms/aws/') && e.error);
  assert.ok(responses.some((e) => e.request.id === aws.requestId && e.error === `Alias 'arn:aws:kms:${REGION}:${ACCOUNT}:***' is not found.`));
  assert.ok(responses.some((e) => e.request.id === taken.requestId && e.error === `An alias with the name arn:aws:kms:${REGION}:${ACCOUNT}:*** already exists`));
  const audit = readFileSync(server.auditFile, 'utf8');
  for (const v of ['edge-secret-alias-name', 'edge-taken', 'edge-other-secret-alias', keyId]) assert.ok(!audit.includes(v), `${v} in the audit log`);
  await kms.send(new EncryptCommand({ KeyId: 'alias/edge-taken', Plaintext: Buffer.from('x') }));
});

test('a call whose event cannot be stored is answered 500 on either door', async () => {
  const recorder = server.core.requireServices().trail.recorder;
  const record = recorder.record;
  recorder.record = async () => { throw new Error('event store down'); };
  try {
    const aws = await send(await signed('TrentService.ListKeys', {}));
    assert.deepEqual([aws.status, aws.json], [500, { __type: 'KMSInternalException', message: 'internal error' }]);
    const vaultRes = await fetch(`${server.endpoint}/v1/kms/aws/ListKeys`, { method: 'POST', headers: { 'x-vault-token': server.rootToken, 'content-type': 'application/json' }, body: '{}' });
    assert.equal(vaultRes.status, 500);
  } finally {
    recorder.record = record;
  }
  assert.equal((await send(await signed('TrentService.ListKeys', {}))).status, 200);
});

test('a signed header sent in UTF-8 verifies as AWS verifies it: over the bytes sent, as a Python or Go client signs them', async () => {
  const url = new URL(server.endpoint);
  const keyId = (await kms.send(new CreateKeyCommand({}))).KeyMetadata!.KeyId!;
  const body = JSON.stringify({ KeyId: keyId });
  // `à` is C3 A0 in UTF-8: A0 is no blank, whatever a latin1 reading of it says.
  const label = 'app/1.0 (équipe à Zürich) …';
  const signer = new SignatureV4({ credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey }, region: REGION, service: 'kms', sha256: NodeSha256 as never });
  const signedReq = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/',
    headers: { host: url.host, 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.DescribeKey', 'x-client-label': label }, body,
  });
  assert.match(signedReq.headers.authorization, /SignedHeaders=[^,]*x-client-label/);
  // What a client writing UTF-8 sends: the header's UTF-8 bytes (node writes a header string as latin1).
  const headers = { ...signedReq.headers, 'x-client-label': Buffer.from(label, 'utf8').toString('latin1') } as Record<string, string>;
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: Number(url.port), method: 'POST', path: '/', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let t = '';
      res.on('data', (d) => { t += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: t }));
    });
    req.on('error', reject);
    // A Buffer: node writes a string body in one piece with the headers, in the body's encoding.
    req.end(Buffer.from(body));
  });
  assert.equal(status, 200, text);
  assert.equal(JSON.parse(text).KeyMetadata.KeyId, keyId);
});
