import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { createSigningKeyCache, verifySigV4, type SigV4Request } from '../../src/kms/sigv4/index.js';

/** The SDK's Checksum contract: a hash, or an HMAC when constructed with a secret. */
class NodeSha256 {
  private readonly h: Hash | Hmac;
  constructor(secret?: string | Uint8Array) { this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', secret); }
  update(data: string | Uint8Array) { this.h.update(data); }
  async digest() { return new Uint8Array(this.h.digest()); }
}

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const identity = { secretAccessKey: SECRET, user: 'example' };
const resolve = async (id: string) => (id === 'AKIDEXAMPLE' ? identity : undefined);
const at = Date.UTC(2015, 7, 30, 12, 36, 0);

function opts(now = at, services = ['service']) {
  return { region: 'us-east-1', services, now, resolve, cache: createSigningKeyCache() };
}

// AWS SigV4 test suite, "get-vanilla".
const vanilla: SigV4Request = {
  method: 'GET', path: '/', query: '', body: new Uint8Array(),
  headers: {
    host: 'example.amazonaws.com',
    'x-amz-date': '20150830T123600Z',
    authorization: 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
  },
};

test('the AWS test-suite vector get-vanilla verifies', async () => {
  const r = await verifySigV4(vanilla, opts());
  assert.deepEqual(r, { ok: true, identity, accessKeyId: 'AKIDEXAMPLE' });
});

const withAuth = (authorization: string | undefined, extra: Record<string, string> = {}): SigV4Request => ({
  ...vanilla, headers: { ...vanilla.headers, ...extra, authorization },
});

test('failures carry AWS exception names and messages', async () => {
  const cases: Array<[string, SigV4Request, ReturnType<typeof opts>, string, string | RegExp]> = [
    ['unsigned', withAuth(undefined), opts(), 'MissingAuthenticationTokenException', 'Missing Authentication Token'],
    ['no signature', withAuth('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host'), opts(), 'IncompleteSignatureException', /requires 'Signature' parameter/],
    ['unknown key', withAuth(String(vanilla.headers.authorization).replace('AKIDEXAMPLE', 'AKIAUNKNOWN')), opts(), 'UnrecognizedClientException', 'The security token included in the request is invalid.'],
    ['session token', withAuth(String(vanilla.headers.authorization), { 'x-amz-security-token': 'x' }), opts(), 'UnrecognizedClientException', 'The security token included in the request is invalid.'],
    ['bad signature', withAuth(String(vanilla.headers.authorization).replace(/Signature=\w+/, `Signature=${'0'.repeat(64)}`)), opts(), 'InvalidSignatureException', /^The request signature we calculated does not match the signature you provided\./],
    ['wrong service', vanilla, opts(at, ['kms']), 'InvalidSignatureException', "Credential should be scoped to correct service: 'kms'. "],
    ['expired', vanilla, opts(at + 16 * 60_000), 'InvalidSignatureException', 'Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)'],
    ['future', vanilla, opts(at - 16 * 60_000), 'InvalidSignatureException', 'Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)'],
  ];
  for (const [name, req, o, code, message] of cases) {
    const r = await verifySigV4(req, o);
    assert.equal(r.ok, false, name);
    if (r.ok) continue;
    assert.equal(r.code, code, name);
    if (typeof message === 'string') assert.equal(r.message, message, name);
    else assert.match(r.message, message, name);
  }
  // 14 minutes of skew is tolerated.
  assert.equal((await verifySigV4(vanilla, opts(at + 14 * 60_000))).ok, true);
});

test('requests signed by @smithy/signature-v4 (the AWS SDK signer) verify; a changed body does not', async () => {
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET }, region: 'us-east-1', service: 'kms',
    sha256: NodeSha256 as never,
  });
  const body = JSON.stringify({ KeyId: 'alias/x', Plaintext: 'aGk=' });
  const signed = await signer.sign({
    method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: 8200, path: '/a%20b/./c/',
    query: { 'z': 'last', 'a b': ['2', '1'] },
    headers: { host: '127.0.0.1:8200', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'TrentService.Encrypt', 'user-agent': 'test  agent' },
    body,
  }, { signingDate: new Date(at) });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k.toLowerCase()] = v;
  const req: SigV4Request = { method: 'POST', path: '/a%20b/./c/', query: 'z=last&a%20b=2&a%20b=1', headers, body: Buffer.from(body) };
  const o = opts(at, ['kms']);
  assert.deepEqual(await verifySigV4(req, o), { ok: true, identity, accessKeyId: 'AKIDEXAMPLE' });
  const tampered = await verifySigV4({ ...req, body: Buffer.from(body.replace('alias/x', 'alias/y')) }, o);
  assert.equal(tampered.ok ? 'ok' : tampered.code, 'InvalidSignatureException');
  const otherTarget = await verifySigV4({ ...req, headers: { ...headers, 'x-amz-target': 'TrentService.Decrypt' } }, o);
  assert.equal(otherTarget.ok ? 'ok' : otherTarget.code, 'InvalidSignatureException');
});
