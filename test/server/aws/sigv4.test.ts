import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { createSigningKeyCache, verifySigV4, type SigV4Request } from '../../../src/server/aws/sigv4/index.js';

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
    ['wrong region', withAuth(String(vanilla.headers.authorization).replace('us-east-1', 'eu-west-9')), opts(), 'InvalidSignatureException', 'Credential should be scoped to a valid region. '],
    ['bad date', withAuth(String(vanilla.headers.authorization), { 'x-amz-date': '2015-08-30T12:36:00Z' }), opts(), 'IncompleteSignatureException', 'X-Amz-Date must be in ISO-8601 basic format (yyyyMMddTHHmmssZ).'],
    // Date.UTC would carry these into the next day; AWS refuses them.
    ['hour 26', withAuth(String(vanilla.headers.authorization), { 'x-amz-date': '20150830T263600Z' }), opts(), 'IncompleteSignatureException', 'X-Amz-Date must be in ISO-8601 basic format (yyyyMMddTHHmmssZ).'],
    ['31 February', withAuth(String(vanilla.headers.authorization), { 'x-amz-date': '20150231T123600Z' }), opts(), 'IncompleteSignatureException', 'X-Amz-Date must be in ISO-8601 basic format (yyyyMMddTHHmmssZ).'],
    ['second 60', withAuth(String(vanilla.headers.authorization), { 'x-amz-date': '20150830T123660Z' }), opts(), 'IncompleteSignatureException', 'X-Amz-Date must be in ISO-8601 basic format (yyyyMMddTHHmmssZ).'],
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

/** Signs a KMS-style POST with the SDK's signer; `unsigned` headers are left out of the signature. */
async function signedPost(headers: Record<string, string>, unsigned: string[] = []) {
  const signer = new SignatureV4({ credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: SECRET }, region: 'us-east-1', service: 'kms', sha256: NodeSha256 as never });
  const body = '{"KeyId":"alias/x"}';
  const signed = await signer.sign({ method: 'POST', protocol: 'http:', hostname: '127.0.0.1', path: '/', headers: { host: '127.0.0.1', ...headers }, body },
    { signingDate: new Date(at), unsignableHeaders: new Set(unsigned) });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) out[k.toLowerCase()] = v;
  return { method: 'POST', path: '/', query: '', headers: out, body: Buffer.from(body) } satisfies SigV4Request;
}

const kmsOpts = { ...opts(at, ['kms']), requiredSignedHeaders: ['x-amz-target'] };

test('x-amz-target, host and x-amz-date must be signed; a signed x-amz-content-sha256 must match the body', async () => {
  const good = await signedPost({ 'x-amz-target': 'TrentService.DescribeKey' });
  assert.equal((await verifySigV4(good, kmsOpts)).ok, true);

  const unsignedTarget = await signedPost({ 'x-amz-target': 'TrentService.DescribeKey' }, ['x-amz-target']);
  assert.doesNotMatch(String(unsignedTarget.headers.authorization), /x-amz-target/);
  assert.deepEqual(await verifySigV4(unsignedTarget, kmsOpts), {
    ok: false, code: 'IncompleteSignatureException', message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
  });
  const noTarget = await signedPost({});
  assert.equal((await verifySigV4(noTarget, kmsOpts)).ok ? 'ok' : 'refused', 'refused');

  const withSignedHeaders = (req: SigV4Request, list: string): SigV4Request => ({
    ...req, headers: { ...req.headers, authorization: String(req.headers.authorization).replace(/SignedHeaders=[^,]+/, `SignedHeaders=${list}`) },
  });
  for (const [list, message] of [
    ['x-amz-content-sha256;x-amz-date;x-amz-target', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."],
    ['host;x-amz-content-sha256;x-amz-target', "'X-Amz-Date' must be a 'SignedHeader' in the AWS Authorization."],
    ['host;x-amz-content-sha256;x-amz-date;x-amz-target;constructor;__proto__', 'A header named in SignedHeaders does not exist in the HTTP request.'],
    ['host;x-amz-date;x-amz-target;toString', 'SignedHeaders must be lower-case header names separated by semicolons.'],
    ['host;x-amz-date;x-amz-target;host', 'SignedHeaders must name each header once.'],
    [Array.from({ length: 65 }, (_, i) => `h${i}`).join(';'), 'SignedHeaders may name at most 64 headers.'],
  ] as const) {
    const r = await verifySigV4(withSignedHeaders(good, list), kmsOpts);
    assert.equal(r.ok ? 'ok' : `${r.code}: ${r.message}`, `IncompleteSignatureException: ${message}`, list.slice(0, 40));
  }

  const hashed = await signedPost({ 'x-amz-target': 'TrentService.DescribeKey', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' });
  const mismatch = await verifySigV4(hashed, kmsOpts);
  assert.equal(mismatch.ok ? 'ok' : mismatch.code, 'InvalidSignatureException');
  const unsignedHash = await signedPost({ 'x-amz-target': 'TrentService.DescribeKey', 'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' }, ['x-amz-content-sha256']);
  const r = await verifySigV4(unsignedHash, kmsOpts);
  assert.equal(r.ok ? 'ok' : r.message, "'X-Amz-Content-Sha256' must be a 'SignedHeader' in the AWS Authorization.");
});

test('header names that are Object.prototype properties are plain absent headers', async () => {
  const good = await signedPost({ 'x-amz-target': 'TrentService.DescribeKey' });
  const plain = { ...good, headers: { ...good.headers, authorization: String(good.headers.authorization).replace(/SignedHeaders=[^,]+/, 'SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-target;hasownproperty') } };
  const r = await verifySigV4(plain, kmsOpts);
  assert.equal(r.ok ? 'ok' : r.message, 'A header named in SignedHeaders does not exist in the HTTP request.');
});

test('no failure message repeats what the caller sent, but for dates already checked to be digits', async () => {
  const canary = 'caller-text-7f3a';
  const good = await signedPost({ 'x-amz-target': 'TrentService.DescribeKey' });
  const auth = String(good.headers.authorization);
  const variant = (authorization: string, extra: Record<string, string> = {}): SigV4Request => ({ ...good, headers: { ...good.headers, ...extra, authorization } });
  const cases: Array<[string, SigV4Request]> = [
    ['date', variant(auth, { 'x-amz-date': `ADMIN LOGIN OK ${canary}` })],
    ['signed header name', variant(auth.replace(/SignedHeaders=([^,]+)/, `SignedHeaders=$1;${canary}`))],
    ['region', variant(auth.replace('/us-east-1/', `/${canary}/`))],
    ['service', variant(auth.replace('/kms/', `/${canary}/`))],
    ['unknown access key', variant(auth.replace('AKIDEXAMPLE', `AKIA${canary}`))],
    ['algorithm', variant(auth.replace('AWS4-HMAC-SHA256', `AWS4-${canary}`))],
    ['credential scope', variant(auth.replace('aws4_request', canary))],
    ['signature', variant(auth.replace(/Signature=\w+/, `Signature=${canary}`))],
    ['content hash', variant(auth, { 'x-amz-content-sha256': canary })],
  ];
  for (const [name, req] of cases) {
    const r = await verifySigV4(req, kmsOpts);
    assert.equal(r.ok, false, name);
    assert.ok(!JSON.stringify(r).includes(canary), `${name}: ${JSON.stringify(r)}`);
  }
});
