import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { Command } from 'commander';
import { registerTrail, parseLookupAttribute } from '../../src/cli/commands/trail.js';
import { createContext } from '../../src/cli/context.js';
import { CliExit } from '../../src/cli/failure.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createTrailManager } from '../../src/trail/delivery/trail-manager.js';
import { importPublicKey, publicKeyPem } from '../../src/trail/keys/crypto.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { createTrailRecorder } from '../../src/trail/recorder.js';
import { memoryIo, runIn } from '../cli/harness.js';
import { ACCOUNT, kmsEvent } from './fixtures.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = memoryIo();
  const program = new Command('sealtrail').exitOverride();
  registerTrail(program, createContext(io, () => ({})));
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (!(err instanceof CliExit)) throw err;
    code = err.exitCode;
  }
  return { code, stdout: io.out.join(''), stderr: io.err.join('') };
}

test('sealtrail trail validate-logs with --public-key: valid chain exits 0, a tampered log exits 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-cli-'));
  try {
    const clock = manualClock(Date.UTC(2024, 10, 14, 23, 0, 0));
    const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32), clock, purgeIntervalMs: 0 });
    const trails = createTrailManager({ trails: [{ name: 't', directory: join(dir, 'trail'), bucket: 'b' }], accountId: ACCOUNT, region: 'us-east-1', store: () => store, storage: createMemoryStorage(), clock });
    await trails.start();
    await createTrailRecorder({ store: () => store }).record(kmsEvent({ eventTime: clock.now() }));
    clock.advance(1000);
    const delivered = await trails.deliverNow('t');
    const [key] = await trails.publicKeys();
    writeFileSync(join(dir, 'pub.pem'), publicKeyPem(importPublicKey(Buffer.from(key.Value, 'base64'))));
    const args = ['trail', 'validate-logs', '--dir', join(dir, 'trail'), '--start-time', '2024-11-14T22:00:00Z', '--end-time', '2024-11-15T00:00:00Z', '--public-key', join(dir, 'pub.pem')];

    const ok = await run(args);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /\n1\/1 digest files valid\n1\/1 log files valid\n$/);
    assert.equal(ok.stderr, '');

    const logPath = join(dir, 'trail', 'b', delivered.logFiles[0]);
    const text = gunzipSync(readFileSync(logPath));
    text[text.length - 3] ^= 0x20;
    writeFileSync(logPath, gzipSync(text));
    const bad = await run(args);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, `Log file\ts3://b/${delivered.logFiles[0]}\tINVALID: hash value doesn't match\n\n`);
    assert.match(bad.stdout, /1\/1 digest files valid\n0\/1 log files valid, 1\/1 log files INVALID\n$/);
    await trails.stop();
    await store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--public-key is read within bounds: a device or an oversized file, a FIFO in its directory, a block that is no key, each end in one line', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'trail-cli-keys-'));
  try {
    const { publicKey } = (await import('node:crypto')).generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const keys = join(dir, 'keys');
    mkdirSync(keys);
    writeFileSync(join(keys, 'a.pem'), pem);
    execFileSync('mkfifo', [join(keys, 'b.pem')]);
    const zeroKeys = join(dir, 'zero-keys');
    mkdirSync(zeroKeys);
    symlinkSync('/dev/zero', join(zeroKeys, 'a.pem'));
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n');
    const big = join(dir, 'big.pem');
    writeFileSync(big, pem.padEnd(1024 * 1024 + 1, '\n'));
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const cases: Array<[string, string]> = [
      ['/dev/zero', 'sealtrail: /dev/zero: larger than 1 MiB'],
      [big, `sealtrail: ${big}: larger than 1 MiB`],
      [keys, `sealtrail: ${join(keys, 'b.pem')}: not a regular file`],
      [zeroKeys, `sealtrail: ${join(zeroKeys, 'a.pem')}: not a regular file`],
      [bad, `a PEM public key in ${bad} does not parse`],
      [join(dir, 'none.pem'), `sealtrail: ${join(dir, 'none.pem')}: no such file or directory`],
      [empty, `no PEM public key found in ${empty}`],
    ];
    for (const [path, line] of cases) {
      const r = await runIn(['trail', 'validate-logs', '--dir', empty, '--start-time', '2024-11-14T22:00:00Z', '--public-key', path]);
      assert.deepEqual([r.code, r.stderr, r.stdout], [1, `${line}\n`, ''], path);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('--lookup-attributes takes the AWS CLI shorthand', () => {
  assert.deepEqual(parseLookupAttribute('AttributeKey=EventName,AttributeValue=Decrypt'), { AttributeKey: 'EventName', AttributeValue: 'Decrypt' });
  assert.throws(() => parseLookupAttribute('EventName=Decrypt'), /AttributeKey=EventName,AttributeValue=Decrypt/);
});
