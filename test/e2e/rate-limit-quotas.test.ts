/**
 * Rate limit quotas end to end (core/rate-limits.ts, server/rate-limit.ts, sys/quotas.ts): managed
 * with an existing Vault client (node-vault), enforced on the Vault API (429, Vault's message) and
 * on the AWS endpoint (ThrottlingException through the AWS SDK), per client address — the one an
 * authorized load balancer forwards. A flood over its quota leaves no audit entry unless
 * enable_rate_limit_audit_logging asks for it.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import NodeVault from 'node-vault';
import { CreateKeyCommand, EncryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let vault: NodeVault.client;
let dir: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-quotas-'));
  // The test is the load balancer: X-Forwarded-For names the client, so each test has its own.
  writeFileSync(join(dir, 'listener.hcl'), 'listener "tcp" {\n  address = "127.0.0.1:0"\n  tls_disable = true\n'
    + '  x_forwarded_for_authorized_addrs = "127.0.0.1"\n  x_forwarded_for_reject_not_present = false\n}\n');
  server = await startDevServer({ configPath: join(dir, 'listener.hcl'), devDataDir: dir });
  vault = NodeVault({ apiVersion: 'v1', endpoint: server.address, token: server.rootToken });
  await vault.write('secret/data/app', { data: { v: '1' } });
});
after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer { status: number; json: any; headers: Record<string, string | string[] | undefined> }

/** A request from `client` (its forwarded address), with the root token unless told otherwise. */
function send(method: string, path: string, client: string, opts: { token?: string | null; body?: unknown; target?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'x-forwarded-for': client };
    if (opts.token !== null) headers['x-vault-token'] = opts.token ?? server.rootToken;
    const body = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    if (body) { headers['content-type'] = 'application/json'; headers['content-length'] = String(body.length); }
    const { hostname, port } = new URL(server.address);
    // `target`: the request line's target as given (an absolute form, a fragment), not /v1/<path>.
    const req = request({ hostname, port, path: opts.target ?? `/v1/${path}`, method, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode!, json: text ? JSON.parse(text) : undefined, headers: res.headers }));
    });
    req.on('error', reject).end(body);
  });
}

const auditLines = () => {
  const file = readdirSync(server.dir, { recursive: true, withFileTypes: true }).find((f) => f.isFile() && f.name === 'audit.log')!;
  return readFileSync(join(file.parentPath, file.name), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l));
};

const statuses = async (n: number, fn: () => Promise<Answer>) => {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await fn()).status);
  return out;
};

test('managed as in Vault: sys/quotas/config and sys/quotas/rate-limit through node-vault', async () => {
  const config = await vault.read('sys/quotas/config');
  assert.deepEqual(config.data, {
    enable_rate_limit_audit_logging: false,
    enable_rate_limit_response_headers: false,
    rate_limit_exempt_paths: [
      'sys/generate-recovery-token/attempt', 'sys/generate-recovery-token/update', 'sys/generate-root/attempt',
      'sys/generate-root/update', 'sys/health', 'sys/seal-status', 'sys/unseal',
    ],
  });
  await vault.write('sys/quotas/rate-limit/app-db', { path: 'secret/data/app', rate: 2, interval: '1m' });
  const read = await vault.read('sys/quotas/rate-limit/app-db');
  assert.deepEqual(read.data, { name: 'app-db', type: 'rate-limit', path: 'secret/data/app', role: '', rate: 2, interval: 60, block_interval: 0 });
  // A write changes only the fields it gives.
  await vault.write('sys/quotas/rate-limit/app-db', { block_interval: '10m' });
  assert.equal((await vault.read('sys/quotas/rate-limit/app-db')).data.block_interval, 600);
  assert.equal((await vault.read('sys/quotas/rate-limit/app-db')).data.rate, 2);
  assert.deepEqual((await vault.list('sys/quotas/rate-limit')).data.keys, ['app-db']);
  await vault.delete('sys/quotas/rate-limit/app-db');
  await assert.rejects(vault.list('sys/quotas/rate-limit'), (err: any) => err.response?.statusCode === 404);
  // As in Vault, a mount's quotas go when it is disabled.
  await vault.mount({ mount_point: 'scratch', type: 'kv', options: { version: '2' } });
  await vault.write('sys/quotas/rate-limit/scratch', { path: 'scratch/', rate: 5 });
  await vault.unmount({ mount_point: 'scratch' });
  await assert.rejects(vault.read('sys/quotas/rate-limit/scratch'), (err: any) => err.response?.statusCode === 404);
  await assert.rejects(vault.read('sys/quotas/rate-limit/app-db'), (err: any) => err.response?.statusCode === 404);
});

test('bad definitions are 400s that say why, and a token without a grant on sys/quotas cannot write one', async () => {
  const bad = async (body: Record<string, unknown>, pattern: RegExp, name = 'bad') => {
    const r = await send('POST', `sys/quotas/rate-limit/${name}`, '192.0.2.200', { body });
    assert.equal(r.status, 400, JSON.stringify(r.json));
    assert.match(r.json.errors[0], pattern);
  };
  await bad({ path: 'secret/' }, /"rate" is required/);
  await bad({ rate: 0 }, /rate must be positive/);
  await bad({ rate: 'fast' }, /"rate" must be a number/);
  await bad({ rate: 1, interval: 'soon' }, /"interval" must be a duration/);
  await bad({ rate: 1, path: 'no-such-mount/x' }, /invalid mount path "no-such-mount\/x"/);
  await bad({ rate: 1, path: 'auth/token/', role: 'web' }, /role-based quotas/);
  await bad({ rate: 1, type: 'lease-count' }, /only "rate-limit"/);
  const config = await send('POST', 'sys/quotas/config', '192.0.2.200', { body: { rate_limit_exempt_paths: 7 } });
  assert.equal(config.status, 400);
  assert.match(config.json.errors[0], /must be a list of strings/);
  // (node-vault's tokenCreate would switch the client to the new token.)
  const low = await send('POST', 'auth/token/create', '192.0.2.200', { body: { policies: ['default'] } });
  const refused = await send('POST', 'sys/quotas/rate-limit/mine', '192.0.2.200', { token: low.json.auth.client_token, body: { rate: 1 } });
  assert.equal(refused.status, 403);
});

test('over its quota a client gets Vault\'s 429; other clients and other paths go on', async () => {
  await vault.write('sys/quotas/rate-limit/app', { path: 'secret/data/app', rate: 2, interval: '1h' });
  try {
    assert.deepEqual(await statuses(4, () => send('GET', 'secret/data/app', '192.0.2.1')), [200, 200, 429, 429]);
    const refused = await send('GET', 'secret/data/app', '192.0.2.1');
    assert.deepEqual(refused.json, { errors: ['request path "secret/data/app": rate limit quota exceeded'] });
    assert.equal(refused.headers['x-ratelimit-limit'], undefined, 'no quota headers unless configured');
    assert.equal((await send('GET', 'secret/data/other', '192.0.2.1')).status, 404, 'another path is not under that quota');
    assert.equal((await send('GET', 'secret/data/app', '192.0.2.2')).status, 200, 'another client has its own count');
    // A percent-encoded path, an absolute-form target or a fragment is the same path to the quota.
    assert.equal((await send('GET', 'secret/data/%61pp', '192.0.2.1')).status, 429);
    assert.equal((await send('GET', '', '192.0.2.1', { target: 'http://elsewhere.example/v1/secret/data/app' })).status, 429);
    assert.equal((await send('GET', '', '192.0.2.1', { target: '/v1/secret/data/app#x' })).status, 429);
    // LIST (outside Node's parser, replayed as GET ?list=true) is counted once, like any request.
    // (As in Vault, a glob covers the paths under it, not the listing of its own folder.)
    await vault.write('sys/quotas/rate-limit/listing', { path: 'secret/metadata/*', rate: 1, interval: '1h' });
    assert.equal((await send('LIST', 'secret/metadata/', '192.0.2.1')).status, 200);
    assert.equal((await send('LIST', 'secret/metadata/', '192.0.2.1')).status, 200);
    assert.equal((await send('LIST', 'secret/metadata/team/', '192.0.2.1')).status, 404);
    assert.equal((await send('LIST', 'secret/metadata/team/', '192.0.2.1')).status, 429);
    assert.equal((await send('GET', 'secret/metadata/team/?list=true', '192.0.2.1')).status, 429);
    await vault.delete('sys/quotas/rate-limit/listing');
  } finally {
    await vault.delete('sys/quotas/rate-limit/app');
  }
  assert.equal((await send('GET', 'secret/data/app', '192.0.2.1')).status, 200, 'a deleted quota limits nothing');
});

test('an IPv6 client is its /64: rotating addresses within it shares one count, another /64 has its own', async () => {
  await vault.write('sys/quotas/rate-limit/app6', { path: 'secret/data/app', rate: 2, interval: '1h' });
  try {
    const rotating = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2:abcd::9'];
    assert.deepEqual(await statuses(4, (() => { let i = 0; return () => send('GET', 'secret/data/app', rotating[i++]); })()), [200, 200, 429, 429]);
    assert.equal((await send('GET', 'secret/data/app', '2001:db8:1:3::1')).status, 200, 'the next /64 is another client');
    assert.equal((await send('GET', 'secret/data/app', '192.0.2.77')).status, 200, 'an IPv4 client is its own address');
    assert.equal((await send('GET', 'secret/data/app', '192.0.2.78')).status, 200);
  } finally {
    await vault.delete('sys/quotas/rate-limit/app6');
  }
});

test('a flood over the global quota leaves no audit entry and costs no body read; sys/health stays reachable', async () => {
  await vault.write('sys/quotas/config', { rate_limit_exempt_paths: ['sys/quotas/*', 'sys/health'] });
  await vault.write('sys/quotas/rate-limit/global', { rate: 3, interval: '1h' });
  try {
    const before = auditLines().length;
    const big = { data: { filler: 'x'.repeat(32 * 1024) } };
    const codes = await statuses(40, () => send('POST', 'secret/data/flood', '198.51.100.7', { token: null, body: big }));
    assert.deepEqual(codes.slice(0, 3), [403, 403, 403]);
    assert.ok(codes.slice(3).every((s) => s === 429), codes.join(','));
    assert.equal(auditLines().length - before, 3 * 2, 'only the three requests within the quota were audited');
    const refused = await send('POST', 'secret/data/flood', '198.51.100.7', { token: null, body: big });
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.connection, 'close', 'the body is never read: the connection ends with the answer');
    assert.equal((await send('GET', 'sys/health', '198.51.100.7')).status, 200);
    const metrics = await call(server.address, 'GET', 'sys/metrics?format=prometheus', { token: server.rootToken, headers: { 'x-forwarded-for': '192.0.2.250' } });
    assert.match(metrics.text, /^vault_quota_rate_limit_violation\{name="global"\} 38$/m);
  } finally {
    await vault.delete('sys/quotas/rate-limit/global');
    await vault.write('sys/quotas/config', { rate_limit_exempt_paths: [] });
  }
});

test('response headers and audit logging of refusals, when the configuration asks for them', async () => {
  await vault.write('sys/quotas/config', { enable_rate_limit_response_headers: true, enable_rate_limit_audit_logging: true });
  await vault.write('sys/quotas/rate-limit/headers', { path: 'secret/data/app', rate: 1, interval: '1h', block_interval: '2h' });
  try {
    const ok = await send('GET', 'secret/data/app', '192.0.2.9');
    assert.equal(ok.status, 200);
    assert.equal(ok.headers['x-ratelimit-limit'], '1');
    assert.equal(ok.headers['x-ratelimit-remaining'], '0');
    assert.ok(Number(ok.headers['x-ratelimit-reset']) > 3590 && Number(ok.headers['x-ratelimit-reset']) <= 3600);
    const refused = await send('GET', 'secret/data/app', '192.0.2.9');
    assert.equal(refused.status, 429);
    assert.equal(refused.headers['retry-after'], '7200', 'blocked for block_interval');
    const entries = auditLines().filter((e) => e.request?.remote_address === '192.0.2.9' && e.error);
    assert.deepEqual(entries.map((e) => [e.type, e.request.path, e.error]), [
      ['request', 'secret/data/app', 'request path "secret/data/app": rate limit quota exceeded'],
      ['response', 'secret/data/app', 'request path "secret/data/app": rate limit quota exceeded'],
    ]);
  } finally {
    await vault.delete('sys/quotas/rate-limit/headers');
    await vault.write('sys/quotas/config', { enable_rate_limit_response_headers: false, enable_rate_limit_audit_logging: false });
  }
});

test('the AWS endpoint: a KMS client over its quota gets ThrottlingException, as from KMS', async () => {
  const kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials: server.awsCredentials, maxAttempts: 1 });
  const key = await kms.send(new CreateKeyCommand({}));
  await vault.write('sys/quotas/rate-limit/kms', { path: 'kms/', rate: 2, interval: '1h' });
  try {
    const encrypt = () => kms.send(new EncryptCommand({ KeyId: key.KeyMetadata!.KeyId!, Plaintext: Buffer.from('x') }));
    await encrypt();
    await encrypt();
    // The same call at an absolute-form target, or with a fragment, is the same call to the quota.
    for (const target of ['http://elsewhere.example/', '/#x']) {
      const throttled = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const { hostname, port } = new URL(server.address);
        const req = request({ hostname, port, path: target, method: 'POST', agent: false, headers: { 'x-amz-target': 'TrentService.ListKeys', 'content-type': 'application/x-amz-json-1.1' } }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => { body += c; }).on('end', () => resolve({ status: res.statusCode!, body }));
        });
        req.on('error', reject).end('{}');
      });
      assert.deepEqual([throttled.status, JSON.parse(throttled.body).__type], [400, 'ThrottlingException'], target);
    }
    await assert.rejects(encrypt(), (err: any) => {
      assert.equal(err.name, 'ThrottlingException');
      assert.equal(err.message, 'Rate exceeded');
      assert.equal(err.$metadata.httpStatusCode, 400);
      assert.ok(err.$metadata.requestId);
      return true;
    });
  } finally {
    await vault.delete('sys/quotas/rate-limit/kms');
  }
});
