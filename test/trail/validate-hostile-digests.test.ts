import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildDigest, digestStringToSign, METADATA_SUFFIX } from '../../src/trail/delivery/digest-file.js';
import { digestFileKey } from '../../src/trail/delivery/object-keys.js';
import { generateRsaSigningKey, importPublicKey, publicKeyFingerprint, sha256Hex, signHex } from '../../src/trail/keys/crypto.js';
import { MAX_DIGEST_DEPTH, MAX_METADATA_BYTES } from '../../src/trail/validate/local-objects.js';
import { MAX_DIGEST_BYTES } from '../../src/trail/validate/validate-logs.js';
import { validateTrailDirectory } from '../../src/trail/validate/index.js';

const ACCOUNT = '123456789012';
const END_MS = Date.UTC(2026, 11, 1);
const KEY = generateRsaSigningKey();
const FINGERPRINT = publicKeyFingerprint(KEY.publicKeyDer);
const PUBLIC_KEYS = new Map([[FINGERPRINT, importPublicKey(KEY.publicKeyDer)]]);
const DIGEST_KEY = digestFileKey({ accountId: ACCOUNT, region: 'us-east-1', prefix: '' }, 't', END_MS);

/**
 * One digest in a trail directory, signed with KEY over exactly `text` (whatever it holds past the
 * fields the signature names), with its metadata sidecar as `metadata` says.
 */
function trailWith(dir: string, shape: (fields: string) => string, metadata?: (sidecar: string) => string): void {
  const digest = buildDigest({ accountId: ACCOUNT, startMs: END_MS - 3600_000, endMs: END_MS, bucket: 'bkt', key: DIGEST_KEY, fingerprint: FINGERPRINT, logFiles: [] });
  const text = shape(JSON.stringify(digest));
  const signature = signHex(KEY.privateKeyPem, digestStringToSign(digest, sha256Hex(text)));
  const path = join(dir, 'bkt', DIGEST_KEY);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(text));
  const sidecar = JSON.stringify({ signature, 'signature-algorithm': 'SHA256withRSA' });
  writeFileSync(path + METADATA_SUFFIX, metadata ? metadata(sidecar) : sidecar);
}

async function validated(shape: (fields: string) => string, metadata?: (sidecar: string) => string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-hostile-digest-'));
  try {
    trailWith(dir, shape, metadata);
    const err: string[] = [];
    await validateTrailDirectory({
      dir, publicKeys: PUBLIC_KEYS, startMs: END_MS - 86_400_000, endMs: END_MS + 86_400_000, verbose: false, out: () => undefined, err: (t) => void err.push(t),
    });
    return err.join('');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `fields` with one more member, `extra`, last. */
const plus = (fields: string, extra: string) => `${fields.slice(0, -1)},"extra":${extra}}`;
const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const invalid = (reason: string) => `Digest file\ts3://bkt/${DIGEST_KEY}\tINVALID: ${reason}\n\n`;

test('a signed digest is read within its bounds: nesting, inflated size, and its metadata\'s', async () => {
  // Within the bounds, a digest carrying more than AWS's fields is valid (the signature covers it).
  assert.equal(await validated((f) => plus(f, nested(MAX_DIGEST_DEPTH - 1))), '');
  assert.equal(await validated((f) => f.padEnd(MAX_DIGEST_BYTES)), '');
  assert.equal(await validated((f) => f, (m) => plus(m, nested(MAX_DIGEST_DEPTH - 1)).padEnd(MAX_METADATA_BYTES)), '');
  // Past them, neither is parsed: JSON.parse would hold memory for each level first.
  assert.equal(await validated((f) => plus(f, nested(MAX_DIGEST_DEPTH))), invalid('invalid format'));
  assert.equal(await validated((f) => plus(f, nested(100_000))), invalid('invalid format'));
  assert.equal(await validated((f) => f.padEnd(MAX_DIGEST_BYTES + 1)), invalid('invalid format'));
  assert.equal(await validated((f) => f, (m) => plus(m, nested(100_000))), invalid('signature verification failed'));
  assert.equal(await validated((f) => f, (m) => m.padEnd(MAX_METADATA_BYTES + 1)), invalid('signature verification failed'));
});

test('a gzip bomb of [ in a digest\'s place is INVALID without being parsed', async () => {
  // Inflated, 32 MiB of [ held ~1.5 GB in JSON.parse (200 MiB, 11 GB); past the bound it is not even inflated.
  assert.equal(await validated(() => '['.repeat(MAX_DIGEST_BYTES)), invalid('invalid format'));
  assert.equal(await validated(() => '['.repeat(MAX_DIGEST_BYTES + 1)), invalid('invalid format'));
});
