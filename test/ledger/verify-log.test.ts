import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { noteSigner, noteVerifier } from '../../src/ledger/note.js';
import { bundlePath, tilePath } from '../../src/ledger/paths.js';
import { signCheckpoint } from '../../src/ledger/signed-checkpoint.js';
import { bundlesOfTree, tilesOfTree, TILE_WIDTH } from '../../src/ledger/tiles.js';
import { TreeBuilder } from '../../src/ledger/tree-builder.js';
import { verifyLog, verifyPublishedLog } from '../../src/ledger/verify-log.js';
import { entries, MemoryLog, prng } from './helpers.js';

function logOf(size: number, rand: (n: number) => number): { log: MemoryLog; root: Buffer } {
  const log = new MemoryLog();
  let root = log.append([]);
  while (log.size < size) root = log.append(entries(Math.min(size - log.size, 1 + rand(700)), log.size));
  return { log, root };
}

/** Which entry of a bundle holds byte `at` (its length prefix counts as its own). */
function entryAt(bundle: Buffer, at: number): number {
  let offset = 0;
  for (let k = 0; ; k++) {
    const end = offset + 2 + bundle.readUInt16BE(offset);
    if (at < end) return k;
    offset = end;
  }
}

test('an untouched log verifies, with its root', async () => {
  const { log, root } = logOf(1000, prng(1));
  const progress: number[] = [];
  const verdict = await verifyLog({ size: log.size, root, fetch: log.fetch, onProgress: (n) => progress.push(n) });
  assert.deepEqual(verdict, { ok: true, size: 1000, root });
  assert.deepEqual(progress, [256, 512, 768, 1000]);
  assert.deepEqual(await verifyLog({ size: 0, root: TreeBuilder.empty().root(), fetch: log.fetch }), { ok: true, size: 0, root: TreeBuilder.empty().root() });
  for (const size of [-1, 1.5, Number.MAX_SAFE_INTEGER + 1]) {
    await assert.rejects(verifyLog({ size, fetch: log.fetch }), (err: Error & { code?: string }) => err.code === 'ledger_invalid_range');
  }
});

test('property: one changed byte in any entry bundle is reported at exactly that entry', async () => {
  const rand = prng(2);
  const deadline = Date.now() + 4000;
  for (let round = 0; round < 25 && Date.now() < deadline; round++) {
    const { log, root } = logOf(1 + rand(3000), rand);
    const bundles = [...bundlesOfTree(log.size)];
    const bundle = bundles[rand(bundles.length)];
    const path = bundlePath(bundle);
    const original = log.files.get(path)!;
    const at = rand(original.length);
    const tampered = Buffer.from(original);
    tampered[at] ^= 1 << rand(8);
    log.files.set(path, tampered);
    const verdict = await verifyLog({ size: log.size, root, fetch: log.fetch });
    assert.ok(!verdict.ok);
    assert.equal(verdict.index, bundle.index * TILE_WIDTH + entryAt(original, at), `byte ${at} of ${path}`);
    // A changed byte of content shows as a leaf hash the level-0 tile disagrees with; a changed
    // length prefix either does the same or leaves the bundle unparseable from that entry on.
    const level0 = tilePath({ level: 0, index: bundle.index, width: bundle.width });
    if (verdict.path === level0) assert.match(verdict.reason, /^hash \d+ of the tile differs from the entries$/);
    else assert.deepEqual([verdict.path, verdict.reason.startsWith('malformed bundle: ')], [path, true]);
  }
});

test('property: one changed byte in any tile is reported at the first leaf under the changed hash', async () => {
  const rand = prng(3);
  const deadline = Date.now() + 4000;
  for (let round = 0; round < 25 && Date.now() < deadline; round++) {
    const { log, root } = logOf(1 + rand(3000), rand);
    const tiles = [...tilesOfTree(log.size)];
    const tile = tiles[rand(tiles.length)];
    const path = tilePath(tile);
    const tampered = Buffer.from(log.files.get(path)!);
    const at = rand(tampered.length);
    tampered[at] ^= 0x80;
    log.files.set(path, tampered);
    const verdict = await verifyLog({ size: log.size, root, fetch: log.fetch });
    const hashIndex = tile.index * TILE_WIDTH + Math.floor(at / 32);
    assert.deepEqual(verdict, {
      ok: false, index: hashIndex * TILE_WIDTH ** tile.level, path, reason: `hash ${Math.floor(at / 32)} of the tile differs from the entries`,
    });
  }
});

test('a missing, short or long tile or bundle is named with the first leaf it covers', async () => {
  const { log, root } = logOf(700, prng(4));
  const run = () => verifyLog({ size: log.size, root, fetch: log.fetch });
  const tile1 = 'tile/0/001';
  const saved = log.files.get(tile1)!;
  log.files.delete(tile1);
  assert.deepEqual(await run(), { ok: false, index: 256, path: tile1, reason: `unreadable: no file ${tile1}` });
  log.files.set(tile1, saved.subarray(0, 8160));
  assert.deepEqual(await run(), { ok: false, index: 511, path: tile1, reason: 'the tile is 8160 bytes, not 8192' });
  log.files.set(tile1, Buffer.concat([saved, Buffer.alloc(32)]));
  assert.deepEqual(await run(), { ok: false, index: 512, path: tile1, reason: 'the tile is 8224 bytes, not 8192' });
  log.files.set(tile1, saved);
  const bundle2 = 'tile/entries/002.p/188';
  const entriesSaved = log.files.get(bundle2)!;
  log.files.set(bundle2, Buffer.concat([entriesSaved, Buffer.from([0, 0])]));
  assert.deepEqual(await run(), { ok: false, index: 700, path: bundle2, reason: 'malformed bundle: bytes after entry 187' });
  log.files.set(bundle2, entriesSaved.subarray(0, entriesSaved.length - 1));
  assert.deepEqual(await run(), { ok: false, index: 699, path: bundle2, reason: 'malformed bundle: entry 187 is truncated' });
  log.files.set(bundle2, entriesSaved);
  assert.equal((await run()).ok, true);
});

test('rewriting an entry and every tile above it is still caught by the checkpoint root', async () => {
  const { log, root } = logOf(600, prng(5));
  const forged = new MemoryLog();
  const all = [...bundlesOfTree(600)].flatMap((b) => {
    const data = log.files.get(bundlePath(b))!;
    const out: Buffer[] = [];
    for (let at = 0; at < data.length; at += 2 + data.readUInt16BE(at)) out.push(data.subarray(at + 2, at + 2 + data.readUInt16BE(at)));
    return out;
  });
  all[300] = Buffer.from('rewritten history');
  forged.append(all);
  const verdict = await verifyLog({ size: 600, root, fetch: forged.fetch });
  assert.deepEqual(verdict, { ok: false, path: 'checkpoint', reason: 'the root of the entries differs from the checkpoint' });
  // Without a checkpoint root, the forged log is only self-consistent.
  assert.equal((await verifyLog({ size: 600, fetch: forged.fetch })).ok, true);
});

test('a published log verifies against its signed checkpoint, and a forged checkpoint is refused', async () => {
  const { log, root } = logOf(300, prng(6));
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = noteSigner('sealtrail.example/ledger', privateKey);
  const logKey = noteVerifier(signer.name, privateKey);
  log.files.set('checkpoint', Buffer.from(signCheckpoint({ origin: signer.name, size: 300, root, extensions: [] }, signer)));
  assert.deepEqual(await verifyPublishedLog(log.fetch, logKey), { ok: true, size: 300, root });
  // A root the log signed that the entries do not reproduce is reported, not trusted.
  log.files.set('checkpoint', Buffer.from(signCheckpoint({ origin: signer.name, size: 300, root: Buffer.alloc(32), extensions: [] }, signer)));
  assert.deepEqual(await verifyPublishedLog(log.fetch, logKey), { ok: false, path: 'checkpoint', reason: 'the root of the entries differs from the checkpoint' });
  const forger = noteSigner(signer.name, generateKeyPairSync('ed25519').privateKey);
  log.files.set('checkpoint', Buffer.from(signCheckpoint({ origin: signer.name, size: 300, root, extensions: [] }, forger)));
  await assert.rejects(verifyPublishedLog(log.fetch, logKey), (err: Error & { code?: string }) => err.code === 'ledger_unverified_note');
});

test('a checkpoint claiming far more entries than the log holds fails at the first missing bundle, without listing them all first', async () => {
  const { log, root } = logOf(600, prng(3));
  for (const size of [2 ** 40, Number.MAX_SAFE_INTEGER]) {
    const verdict = await verifyLog({ size, root, fetch: log.fetch });
    assert.equal(verdict.ok, false);
    assert.ok(!verdict.ok && verdict.index === 512 && /unreadable/.test(verdict.reason), JSON.stringify(verdict));
  }
});
