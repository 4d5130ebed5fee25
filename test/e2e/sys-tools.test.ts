/** sys/tools/random and sys/tools/hash, as Vault answers them. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { call, startDevServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
before(async () => { server = await startDevServer(); });
after(async () => { await server?.stop(); });

const tool = (path: string, body: Record<string, unknown> = {}) => call(server.address, 'POST', `sys/tools/${path}`, { token: server.rootToken, body });

test('tools/random: bytes from the body or the URL, base64 or hex, bounded', async () => {
  const plain = await tool('random');
  assert.equal(plain.status, 200);
  assert.equal(Buffer.from(plain.json.data.random_bytes, 'base64').length, 32);
  assert.equal(Buffer.from((await tool('random/16')).json.data.random_bytes, 'base64').length, 16);
  assert.match((await tool('random/all/8', { format: 'hex' })).json.data.random_bytes, /^[0-9a-f]{16}$/);
  assert.equal(Buffer.from((await tool('random', { bytes: 100 })).json.data.random_bytes, 'base64').length, 100);
  assert.notEqual((await tool('random')).json.data.random_bytes, plain.json.data.random_bytes);
  for (const [path, body, message] of [
    ['random', { bytes: 0 }, '"bytes" must be an integer from 1 to 131072'],
    ['random', { bytes: 131073 }, '"bytes" must be an integer from 1 to 131072'],
    ['random/bogus/8', {}, 'unsupported entropy source; must be "platform", "seal" or "all"'],
    ['random', { format: 'base32' }, 'unsupported encoding "format": must be "hex" or "base64"'],
  ] as const) {
    const r = await tool(path, body);
    assert.deepEqual([r.status, r.json], [400, { errors: [message] }], path);
  }
});

test('tools/hash: the SHA-2 and SHA-3 sums of base64 input, hex or base64', async () => {
  const input = Buffer.from('sealtrail').toString('base64');
  const expect = (alg: string, enc: 'hex' | 'base64') => createHash(alg).update('sealtrail').digest(enc);
  assert.equal((await tool('hash', { input })).json.data.sum, expect('sha256', 'hex'));
  assert.equal((await tool('hash/sha2-512', { input })).json.data.sum, expect('sha512', 'hex'));
  assert.equal((await tool('hash', { input, algorithm: 'sha3-256', format: 'base64' })).json.data.sum, expect('sha3-256', 'base64'));
  // A fixed vector: SHA-256("hi").
  assert.equal((await tool('hash', { input: 'aGk=' })).json.data.sum, '8f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2dc327aa4');
  for (const [path, body, message] of [
    ['hash/md5', { input }, 'unsupported algorithm "md5"'],
    ['hash', { input: 'not base64!' }, 'unable to decode input as base64'],
    ['hash', {}, '"input" is required (base64)'],
  ] as const) {
    const r = await tool(path, body);
    assert.deepEqual([r.status, r.json], [400, { errors: [message] }], path);
  }
});
