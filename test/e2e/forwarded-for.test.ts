/**
 * Behind a load balancer (server/forwarded-for.ts): a peer among x_forwarded_for_authorized_addrs
 * names the client in X-Forwarded-For, and that address is the client's in the audit entry, the
 * journal, the KMS call's policy check and its CloudTrail event. Vault's refusals are 400s that
 * leave no record.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateKeyCommand, EncryptCommand, KMSClient, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

const LISTENER = (extra: string) => `listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n  ${extra}\n}\n`;

/** What the load balancer adds to the test's own calls (hop_skips = 1: the client is 192.0.2.1). */
const PROXIED = { 'x-forwarded-for': '192.0.2.1, 10.0.0.1' };

let behindProxy: TestServer;
let foreignProxy: TestServer;
const dirs: string[] = [];

async function serverWith(extra: string): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-xff-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'listener.hcl'), LISTENER(extra));
  return startDevServer({ configPath: join(dir, 'listener.hcl'), devDataDir: dir });
}

before(async () => {
  // The test client is the load balancer: it connects from 127.0.0.1.
  behindProxy = await serverWith('x_forwarded_for_authorized_addrs = "10.0.0.0/8, 127.0.0.1"\n  x_forwarded_for_hop_skips = 1');
  foreignProxy = await serverWith('x_forwarded_for_authorized_addrs = ["10.0.0.0/8"]\n  x_forwarded_for_reject_not_present = false');
});
after(async () => {
  await behindProxy?.stop();
  await foreignProxy?.stop();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const auditText = (server: TestServer) => {
  const file = readdirSync(server.dir, { recursive: true, withFileTypes: true }).find((f) => f.isFile() && f.name === 'audit.log')!;
  return readFileSync(join(file.parentPath, file.name), 'utf8');
};

/** A raw request (fetch cannot send LIST), with the X-Forwarded-For headers given. */
function send(server: TestServer, method: string, path: string, forwardedFor: string[] | undefined): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | string[]> = { 'x-vault-token': server.rootToken };
    if (forwardedFor) headers['x-forwarded-for'] = forwardedFor;
    const req = request(`${server.address}/v1/${path}`, { method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined }));
    });
    req.on('error', reject).end();
  });
}

test('an authorized proxy names the client: the address hop_skips places from the right, in the audit entry and the journal', async () => {
  await call(behindProxy.address, 'POST', 'secret/data/xff', { token: behindProxy.rootToken, headers: PROXIED, body: { data: { v: 'x' } } });
  // Two headers, one with two addresses: the chain is 198.51.100.7, 203.0.113.9, 10.9.9.9.
  const read = await send(behindProxy, 'GET', 'secret/data/xff', ['198.51.100.7, 203.0.113.9', '10.9.9.9']);
  assert.equal(read.status, 200);
  const entries = auditText(behindProxy).split('\n').filter((l) => l.includes(read.json.request_id)).map((l) => JSON.parse(l));
  assert.deepEqual(entries.map((e) => e.request.remote_address), ['203.0.113.9', '203.0.113.9']);
  const list = await send(behindProxy, 'LIST', 'secret/metadata', ['192.0.2.44', '10.0.0.1']);
  assert.equal(list.status, 200, JSON.stringify(list.json));
  const listed = auditText(behindProxy).split('\n').filter((l) => l.includes(list.json.request_id)).map((l) => JSON.parse(l));
  assert.deepEqual(listed.map((e) => e.request.remote_address), ['192.0.2.44', '192.0.2.44']);
  const found = await call(behindProxy.address, 'GET', 'sys/journal/records?remote_address=203.0.113.9', { token: behindProxy.rootToken, headers: PROXIED });
  assert.deepEqual(found.json.data.records.map((r: { record: { request: { id: string } } }) => r.record.request.id), [read.json.request_id, read.json.request_id]);
});

test('the forwarded address is the KMS caller\'s: aws:SourceIp and CloudTrail\'s sourceIPAddress', async () => {
  const kms = new KMSClient({ endpoint: behindProxy.address, region: 'us-east-1', credentials: behindProxy.awsCredentials, maxAttempts: 1 });
  let forwarded = '10.0.0.5, 203.0.113.50, 10.0.0.1';
  kms.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['x-forwarded-for'] = forwarded;
    return next(args);
  }, { step: 'build', name: 'forwardedFor' });
  try {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    const arn = KeyMetadata!.Arn!;
    await kms.send(new PutKeyPolicyCommand({
      KeyId: KeyMetadata!.KeyId, PolicyName: 'default', BypassPolicyLockoutSafetyCheck: true,
      Policy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'kms:*', Resource: '*' },
          { Effect: 'Deny', Principal: { AWS: '*' }, Action: 'kms:Encrypt', Resource: '*', Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } },
        ],
      }),
    }));
    await kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') }));
    forwarded = '10.0.0.5, 198.51.100.60, 10.0.0.1';
    await assert.rejects(kms.send(new EncryptCommand({ KeyId: arn, Plaintext: Buffer.from('x') })), { name: 'AccessDeniedException' });
    const events = await call(behindProxy.address, 'GET', 'sys/journal/records?kind=cloudtrail&order=asc', { token: behindProxy.rootToken, headers: PROXIED });
    const encrypts = events.json.data.records.map((r: { record: { eventName: string; sourceIPAddress: string; errorCode?: string } }) => r.record).filter((e: { eventName: string }) => e.eventName === 'Encrypt');
    assert.deepEqual(encrypts.map((e: { sourceIPAddress: string; errorCode?: string }) => [e.sourceIPAddress, e.errorCode]), [['203.0.113.50', undefined], ['198.51.100.60', 'AccessDenied']]);
  } finally {
    kms.destroy();
  }
});

test('a forwarded IPv6 address is recorded in one spelling (RFC 5952, IPv4-mapped as IPv4): audit, journal search, CloudTrail', async () => {
  const recorded = async (written: string) => {
    const r = await send(behindProxy, 'GET', 'secret/data/xff', [`${written}, 10.0.0.1`]);
    assert.equal(r.status, 200, written);
    const entries = auditText(behindProxy).split('\n').filter((l) => l.includes(r.json.request_id)).map((l) => JSON.parse(l));
    return { id: r.json.request_id as string, addresses: [...new Set(entries.map((e) => e.request.remote_address))] };
  };
  const mapped = await Promise.all(['::FFFF:198.51.100.77', '0:0:0:0:0:ffff:198.51.100.77', '::ffff:c633:644d'].map(recorded));
  assert.deepEqual(mapped.map((m) => m.addresses), [['198.51.100.77'], ['198.51.100.77'], ['198.51.100.77']]);
  const v6 = await recorded('2001:DB8:0:0:0:0:0:77');
  assert.deepEqual(v6.addresses, ['2001:db8::77']);

  const search = async (address: string) => {
    const r = await call(behindProxy.address, 'GET', `sys/journal/records?kind=vault-request&remote_address=${encodeURIComponent(address)}`, { token: behindProxy.rootToken, headers: PROXIED });
    return new Set(r.json.data.records.map((rec: { request_id: string }) => rec.request_id));
  };
  assert.deepEqual(await search('198.51.100.77'), new Set(mapped.map((m) => m.id)));
  assert.deepEqual(await search('2001:db8::77'), new Set([v6.id]));

  const kms = new KMSClient({ endpoint: behindProxy.address, region: 'us-east-1', credentials: behindProxy.awsCredentials, maxAttempts: 1 });
  kms.middlewareStack.add((next) => async (args) => {
    (args.request as { headers: Record<string, string> }).headers['x-forwarded-for'] = '2001:0DB8::0:78, 10.0.0.1';
    return next(args);
  }, { step: 'build', name: 'forwardedFor' });
  try {
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({ Description: 'xff ipv6' }));
    const events = await call(behindProxy.address, 'GET', 'sys/journal/records?kind=cloudtrail&remote_address=2001:db8::78', { token: behindProxy.rootToken, headers: PROXIED });
    assert.deepEqual(events.json.data.records.map((r: { record: { sourceIPAddress: string; responseElements: { keyMetadata: { keyId: string } } } }) => [r.record.sourceIPAddress, r.record.responseElements.keyMetadata.keyId]), [['2001:db8::78', KeyMetadata!.KeyId]]);
  } finally {
    kms.destroy();
  }
});

test('a forwarded address with a zone id is refused like any malformed one, IPv6 or IPv4, never echoed', async () => {
  const before = auditText(behindProxy).length;
  for (const zoned of ['fe80::1%eth0', 'fe80::1%25eth0', '1.2.3.4%eth0']) {
    assert.deepEqual(await send(behindProxy, 'GET', 'secret/data/xff', [`${zoned}, 10.0.0.1`]),
      { status: 400, json: { errors: ['malformed x-forwarded-for request: the client address is not an IP address'] } }, zoned);
  }
  assert.equal(auditText(behindProxy).length, before);
});

test('Vault\'s refusals: no header, a chain shorter than the hops, an address that is not one; none is audited', async () => {
  const before = auditText(behindProxy).length;
  assert.deepEqual(await send(behindProxy, 'GET', 'secret/data/xff', undefined),
    { status: 400, json: { errors: ['missing x-forwarded-for header and configured to reject when not present'] } });
  assert.deepEqual(await send(behindProxy, 'GET', 'secret/data/xff', ['203.0.113.9']),
    { status: 400, json: { errors: ['malformed x-forwarded-for configuration or request, hops to skip (1) would skip before earliest chain link (chain length 1)'] } });
  const forged = await send(behindProxy, 'GET', 'secret/data/xff', ['<script>, 10.0.0.1']);
  assert.deepEqual(forged, { status: 400, json: { errors: ['malformed x-forwarded-for request: the client address is not an IP address'] } });
  assert.equal(auditText(behindProxy).length, before);
});

test('a peer outside the authorized addresses: its header is refused, or with reject_not_authorized = false ignored', async () => {
  assert.deepEqual(await send(foreignProxy, 'GET', 'sys/mounts', ['203.0.113.9']),
    { status: 400, json: { errors: ['client address not authorized for x-forwarded-for and configured to reject connection'] } });
  // reject_not_present = false on this listener: no header is served, as the peer.
  const plain = await send(foreignProxy, 'GET', 'sys/mounts', undefined);
  assert.equal(plain.status, 200);
  const entry = auditText(foreignProxy).split('\n').find((l) => l.includes(plain.json.request_id))!;
  assert.equal(JSON.parse(entry).request.remote_address, '127.0.0.1');

  const lenient = await serverWith('x_forwarded_for_authorized_addrs = "10.0.0.0/8"\n  x_forwarded_for_reject_not_authorized = false');
  try {
    const r = await send(lenient, 'GET', 'sys/mounts', ['203.0.113.9']);
    assert.equal(r.status, 200);
    const e = auditText(lenient).split('\n').find((l) => l.includes(r.json.request_id))!;
    assert.equal(JSON.parse(e).request.remote_address, '127.0.0.1');
  } finally {
    await lenient.stop();
  }
});
