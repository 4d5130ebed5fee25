import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { signCheckpoint } from '../../src/ledger/index.js';
import { manualClock } from '../../src/lib/clock.js';
import { createMemoryStorage } from '../../src/storage/memory/index.js';
import { createTrailManager } from '../../src/trail/delivery/trail-manager.js';
import type { LedgerHead } from '../../src/trail/index.js';
import { importPublicKey, publicKeyPem } from '../../src/trail/keys/crypto.js';
import { createEventStore } from '../../src/trail/store/event-store.js';
import { createTrailRecorder } from '../../src/trail/recorder.js';
import { runIn } from '../cli/harness.js';
import { logKey, ORIGIN } from '../cli/ledger-fixture.js';
import { ACCOUNT, kmsEvent } from './fixtures.js';

const KEY = logKey();

function headOf(size: number, key = KEY): LedgerHead & { root: Buffer } {
  const root = createHash('sha256').update(`root ${size}`).digest();
  return { note: signCheckpoint({ origin: ORIGIN, size, root, extensions: [] }, key.signer), size, root };
}

/** Three digests: before the ledger has a checkpoint, at size 5, at size 9 (the fake head moves). */
async function delivered(heads: Array<LedgerHead | undefined>) {
  const dir = mkdtempSync(join(tmpdir(), 'trail-ledger-'));
  const clock = manualClock(Date.UTC(2024, 10, 14, 23, 0, 0));
  const store = createEventStore({ path: ':memory:', encryptionKey: new Uint8Array(32), clock, purgeIntervalMs: 0 });
  let head: LedgerHead | undefined;
  const trails = createTrailManager({
    trails: [{ name: 't', directory: join(dir, 'trail'), bucket: 'b' }], accountId: ACCOUNT, region: 'us-east-1',
    store: () => store, storage: createMemoryStorage(), clock, ledgerHead: () => head,
  });
  await trails.start();
  const recorder = createTrailRecorder({ store: () => store });
  const digests: string[] = [];
  for (const [i, h] of heads.entries()) {
    head = h;
    await recorder.record(kmsEvent({ eventId: `evt-${i}`, eventTime: clock.now() }));
    clock.advance(60_000);
    digests.push((await trails.deliverNow('t')).digestFile!);
  }
  const [key] = await trails.publicKeys();
  writeFileSync(join(dir, 'pub.pem'), publicKeyPem(importPublicKey(Buffer.from(key.Value, 'base64'))));
  await trails.stop();
  await store.close();
  const args = ['trail', 'validate-logs', '--dir', join(dir, 'trail'), '--start-time', '2024-11-14T22:00:00Z', '--end-time', '2024-11-15T01:00:00Z', '--public-key', join(dir, 'pub.pem')];
  const digestPath = (k: string) => join(dir, 'trail', 'b', k);
  const read = (k: string) => JSON.parse(gunzipSync(readFileSync(digestPath(k))).toString('utf8')) as Record<string, unknown>;
  return { dir, digests, args, read, digestPath };
}

const named = (h: LedgerHead, verified: boolean) =>
  `ledger checkpoint ${ORIGIN} at tree size ${h.size}, root ${Buffer.from(h.root).toString('base64')}${verified ? ' (signature verified)' : ''}`;

test('each digest names the ledger checkpoint current when it was written, after AWS\'s fields; validate-logs reports it', async () => {
  const five = headOf(5);
  const nine = headOf(9);
  const t = await delivered([undefined, five, nine]);
  try {
    const [first, second, third] = t.digests.map(t.read);
    assert.equal(first.sealtrailLedgerCheckpoint, undefined);
    assert.deepEqual(Object.keys(second).slice(-2), ['logFiles', 'sealtrailLedgerCheckpoint']);
    assert.deepEqual(second.sealtrailLedgerCheckpoint, { origin: ORIGIN, treeSize: 5, rootHash: five.root.toString('base64'), signedNote: five.note });
    assert.deepEqual(third.sealtrailLedgerCheckpoint, { origin: ORIGIN, treeSize: 9, rootHash: nine.root.toString('base64'), signedNote: nine.note });

    const ok = await runIn([...t.args, '--verbose', '--ledger-key', KEY.vkey]);
    assert.equal(ok.stderr, '');
    assert.equal(ok.code, 0);
    const lines = ok.stdout.split('\n');
    assert.ok(lines.includes(`Digest file\ts3://b/${t.digests[2]}\tnames ${named(nine, true)}`), ok.stdout);
    assert.ok(lines.includes(`Digest file\ts3://b/${t.digests[1]}\tnames ${named(five, true)}`), ok.stdout);
    assert.equal(lines.filter((l) => l.startsWith('Digest file') && l.includes('names ledger checkpoint')).length, 2);
    assert.match(ok.stdout, new RegExp(`\\n3/3 digest files valid\\n3/3 log files valid\\nThe newest valid digest names ${escape(named(nine, true))}\\n$`));

    // Without the key the output is aws-cli's, line for line: no ledger line, even with --verbose.
    const quiet = await runIn([...t.args, '--verbose']);
    assert.equal(quiet.code, 0);
    assert.ok(quiet.stdout.endsWith('\n3/3 digest files valid\n3/3 log files valid\n'), quiet.stdout);
    assert.ok(!quiet.stdout.includes('ledger'), quiet.stdout);

    // The ledger checkpoints were signed by another key: both digests naming one are INVALID.
    const other = await runIn([...t.args, '--ledger-key', logKey().vkey]);
    assert.equal(other.code, 1);
    assert.equal(other.stderr, t.digests.slice(1).reverse()
      .map((k) => `Digest file\ts3://b/${k}\tINVALID: its ledger checkpoint does not verify with the key of ${ORIGIN}\n\n`).join(''));
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
});

test('the digest signature covers the ledger field; a field that disagrees with its own note is INVALID', async () => {
  const five = headOf(5);
  // A head whose size is not its note's: the digest is signed, yet names no checkpoint that exists.
  const t = await delivered([five, { ...headOf(7), size: 8 }]);
  try {
    const bad = await runIn(t.args);
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, `Digest file\ts3://b/${t.digests[1]}\tINVALID: its ledger checkpoint differs from the signed note it carries\n\n`);

    const digest = t.read(t.digests[0]);
    (digest.sealtrailLedgerCheckpoint as { treeSize: number }).treeSize = 6;
    writeFileSync(t.digestPath(t.digests[0]), gzipSync(JSON.stringify(digest)));
    const changed = await runIn(t.args);
    assert.equal(changed.code, 1);
    assert.ok(changed.stderr.includes(`Digest file\ts3://b/${t.digests[0]}\tINVALID: signature verification failed\n`), changed.stderr);
  } finally {
    rmSync(t.dir, { recursive: true, force: true });
  }
});

test('a ledger that shrinks between two digests of the chain, or keeps its size with another root, is reported', async () => {
  const nine = headOf(9);
  const cases: Array<[string, LedgerHead[], string]> = [
    ['shrinks', [nine, headOf(5)], 'its ledger checkpoint (tree size 9) is past the one the next digest names (tree size 5): the ledger was rolled back'],
    ['forks', [nine, forked(9)], 'its ledger checkpoint (tree size 9) has another root than the one the next digest names at that size: the ledger was rewritten'],
  ];
  for (const [name, heads, reason] of cases) {
    const t = await delivered([headOf(4), ...heads]);
    try {
      const run = await runIn(t.args);
      assert.equal(run.code, 1, name);
      assert.equal(run.stderr, `Digest file\ts3://b/${t.digests[1]}\tINVALID: ${reason}\n\n`, name);
    } finally {
      rmSync(t.dir, { recursive: true, force: true });
    }
  }
  const growing = await delivered([headOf(4), nine, nine, headOf(12)]);
  try {
    const run = await runIn(growing.args);
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
  } finally {
    rmSync(growing.dir, { recursive: true, force: true });
  }
});

/** A checkpoint of `size` over another tree than headOf(size)'s. */
function forked(size: number): LedgerHead {
  const root = createHash('sha256').update(`fork ${size}`).digest();
  return { note: signCheckpoint({ origin: ORIGIN, size, root, extensions: [] }, KEY.signer), size, root };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
