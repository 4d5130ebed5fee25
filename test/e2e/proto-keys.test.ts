/**
 * `__proto__`, `constructor` and `prototype` are ordinary keys everywhere user JSON goes: KV data,
 * merge patches and custom metadata round-trip (and survive a restart), the audit entry hashes
 * them like any key, and a KMS encryption context made of them binds the ciphertext.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DecryptCommand, EncryptCommand, KMSClient, CreateKeyCommand } from '@aws-sdk/client-kms';
import { call, startDevServer } from '../helpers/server.js';

const json = { 'content-type': 'application/json' };
const SECRET = '{"data":{"__proto__":{"polluted":"p-1"},"constructor":"c-1","prototype":"t-1","plain":"x-1"}}';

test('KV: special keys round-trip, are hashed in the audit entry, patch and metadata keep them, a restart reads them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-proto-'));
  try {
    let server = await startDevServer({ devDataDir: dir });
    let token = server.rootToken;
    try {
      const w = await call(server.address, 'POST', 'secret/data/special', { token, rawBody: SECRET, headers: json });
      assert.equal(w.status, 200, w.text);
      const r = await call(server.address, 'GET', 'secret/data/special', { token });
      assert.equal(r.status, 200, r.text);
      assert.equal(JSON.stringify(r.json.data.data), '{"__proto__":{"polluted":"p-1"},"constructor":"c-1","plain":"x-1","prototype":"t-1"}');
      assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was touched');

      const entry = readFileSync(join(dir, 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l))
        .find((e) => e.type === 'request' && e.request.path === 'secret/data/special' && e.request.operation === 'create');
      const audited = entry.request.data.data;
      assert.deepEqual(Object.keys(audited).sort(), ['__proto__', 'constructor', 'plain', 'prototype']);
      assert.ok(Object.hasOwn(audited, '__proto__'));
      assert.match(audited.__proto__.polluted, /^hmac-sha256:/);
      assert.match(audited.constructor, /^hmac-sha256:/);

      const p = await call(server.address, 'PATCH', 'secret/data/special', {
        token, rawBody: '{"data":{"__proto__":{"added":"p-2"},"constructor":null}}', headers: { 'content-type': 'application/merge-patch+json' },
      });
      assert.equal(p.status, 200, p.text);
      const m = await call(server.address, 'POST', 'secret/metadata/special', { token, rawBody: '{"custom_metadata":{"__proto__":"m-1","prototype":"m-2"}}', headers: json });
      assert.equal(m.status, 204, m.text);
    } finally {
      await server.stop();
    }

    server = await startDevServer({ devDataDir: dir });
    token = server.rootToken;
    try {
      const r = await call(server.address, 'GET', 'secret/data/special', { token });
      assert.equal(r.status, 200, r.text);
      assert.equal(JSON.stringify(r.json.data.data), '{"__proto__":{"added":"p-2","polluted":"p-1"},"plain":"x-1","prototype":"t-1"}');
      const meta = await call(server.address, 'GET', 'secret/metadata/special', { token });
      assert.equal(JSON.stringify(meta.json.data.custom_metadata), '{"__proto__":"m-1","prototype":"m-2"}');
      const v1 = await call(server.address, 'GET', 'secret/data/special?version=1', { token });
      assert.equal(v1.json.data.data.constructor, 'c-1');
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('KMS: an encryption context {"__proto__":"tenant-a"} binds the ciphertext', async () => {
  const server = await startDevServer();
  try {
    const kms = new KMSClient({
      endpoint: server.address, region: 'us-east-1', maxAttempts: 1,
      credentials: server.awsCredentials,
    });
    const { KeyMetadata } = await kms.send(new CreateKeyCommand({}));
    for (const contextJson of ['{"__proto__":"tenant-a"}', '{"constructor":"tenant-a"}', '{"prototype":"tenant-a","__proto__":"x"}']) {
      // JSON.parse keeps `__proto__` as an own key, as the SDK sends it.
      const context = JSON.parse(contextJson) as Record<string, string>;
      const enc = await kms.send(new EncryptCommand({ KeyId: KeyMetadata!.KeyId, Plaintext: Buffer.from('bound'), EncryptionContext: context }));
      await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob })), { name: 'InvalidCiphertextException' }, contextJson);
      await assert.rejects(kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: JSON.parse('{"__proto__":"tenant-b"}') })), { name: 'InvalidCiphertextException' });
      const dec = await kms.send(new DecryptCommand({ CiphertextBlob: enc.CiphertextBlob, EncryptionContext: JSON.parse(contextJson) }));
      assert.equal(Buffer.from(dec.Plaintext!).toString(), 'bound');
    }
    kms.destroy();
  } finally {
    await server.stop();
  }
});

test('policies and queries: special keys are data, never a 500', async () => {
  const server = await startDevServer();
  const token = server.rootToken;
  try {
    // A policy path named __proto__, and the old `policy = "constructor"` shorthand refused as invalid.
    const good = await call(server.address, 'PUT', 'sys/policies/acl/special', { token, body: { policy: '{"path":{"secret/data/__proto__":{"capabilities":["read"]},"constructor":{"capabilities":["list"]}}}' } });
    assert.equal(good.status, 204, good.text);
    const caps = await call(server.address, 'POST', 'sys/capabilities', { token, body: { token, paths: ['__proto__', 'constructor'] } });
    assert.equal(caps.status, 200, caps.text);
    assert.deepEqual(caps.json.data.__proto__, ['root']);
    assert.ok(Object.hasOwn(caps.json.data, '__proto__'));
    for (const policy of ['path "x" { policy = "constructor" }', 'path "x" { policy = "__proto__" }', 'path "x" { policy = "toString" }']) {
      const bad = await call(server.address, 'PUT', 'sys/policies/acl/bad', { token, body: { policy } });
      assert.equal(bad.status, 400, `${policy}: ${bad.text}`);
    }
    // A policy constraint on a parameter named __proto__ constrains that parameter.
    const constrained = await call(server.address, 'PUT', 'sys/policies/acl/constrained', {
      token, body: { policy: '{"path":{"sys/tools/hash":{"capabilities":["update"],"allowed_parameters":{"__proto__":[],"input":[]}}}}' },
    });
    assert.equal(constrained.status, 204, constrained.text);
    const limited = await call(server.address, 'POST', 'auth/token/create', { token, body: { policies: ['constrained'] } });
    const low = limited.json.auth.client_token as string;
    const allowed = await call(server.address, 'POST', 'sys/tools/hash', { token: low, rawBody: '{"__proto__":"x","input":"aGk="}', headers: json });
    assert.equal(allowed.status, 200, allowed.text);
    const denied = await call(server.address, 'POST', 'sys/tools/hash', { token: low, rawBody: '{"constructor":"x","input":"aGk="}', headers: json });
    assert.equal(denied.status, 403, denied.text);
    // Names looked up in a fixed table are unknown, not inherited members.
    for (const algorithm of ['constructor', '__proto__', 'toString']) {
      const r = await call(server.address, 'POST', `sys/tools/hash/${algorithm}`, { token, body: { input: 'aGk=' } });
      assert.equal(r.status, 400, `${algorithm}: ${r.text}`);
    }
    // Query parameters with these names reach the handler as data (and the audit) like any other.
    const q = await call(server.address, 'GET', 'secret/data/none?__proto__=1&constructor=2', { token });
    assert.equal(q.status, 404);
  } finally {
    await server.stop();
  }
});
