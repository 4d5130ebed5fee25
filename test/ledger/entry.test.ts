import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { digestEntry, entryMatchesRecord, ledgerEntry, needsDigestEntry, parseDigestEntry } from '../../src/ledger/entry.js';
import { encodeBundle } from '../../src/ledger/bundles.js';
import { LogAppender } from '../../src/ledger/log-appender.js';
import { verifyInclusion } from '../../src/ledger/proof.js';
import { inclusionProofFromTiles, leafHashFromTiles } from '../../src/ledger/tile-proofs.js';

test('a record of at most 65,535 bytes is its own ledger entry, not copied', () => {
  const record = Buffer.from('{"type":"request"}');
  assert.equal(ledgerEntry(7, record), record);
  const max = Buffer.alloc(65_535, 0x7b);
  assert.equal(ledgerEntry(8, max), max);
  assert.equal(parseDigestEntry(record), undefined);
});

test('a larger record enters as a digest entry naming its sequence number, size and SHA-256', () => {
  const record = Buffer.alloc(65_536, 0x61);
  const entry = ledgerEntry(42, record);
  const sha = createHash('sha256').update(record).digest('hex');
  assert.equal(Buffer.from(entry).toString(), `sealtrail-ledger-digest-entry/v1\nseq 42\nsize 65536\nsha256 ${sha}\n`);
  assert.deepEqual(parseDigestEntry(entry), { seq: 42, size: 65_536, sha256: Buffer.from(sha, 'hex') });
  assert.ok(encodeBundle([entry]).length < 200);
  assert.ok(entryMatchesRecord(entry, 42, record));
  assert.ok(!entryMatchesRecord(entry, 43, record));
  const changed = Buffer.from(record);
  changed[65_535] = 0x62;
  assert.ok(!entryMatchesRecord(entry, 42, changed));
});

test('a record that starts like a digest entry is digested too, so no record can pose as one', () => {
  const forged = Buffer.from(`sealtrail-ledger-digest-entry/v1\nseq 1\nsize 9\nsha256 ${'0'.repeat(64)}\n`);
  assert.ok(needsDigestEntry(forged));
  const entry = ledgerEntry(5, forged);
  assert.deepEqual(parseDigestEntry(entry), { seq: 5, size: forged.length, sha256: createHash('sha256').update(forged).digest() });
  assert.equal(digestEntry(5, forged).toString(), Buffer.from(entry).toString());
});

test('only the exact digest form parses as one', () => {
  const h = 'a'.repeat(64);
  for (const text of [
    `sealtrail-ledger-digest-entry/v1\nseq 01\nsize 1\nsha256 ${h}\n`, `sealtrail-ledger-digest-entry/v1\nseq 1\nsize 1\nsha256 ${h.toUpperCase()}\n`,
    `sealtrail-ledger-digest-entry/v1\nseq 1\nsize 1\nsha256 ${h}`, `sealtrail-ledger-digest-entry/v2\nseq 1\nsize 1\nsha256 ${h}\n`,
    `sealtrail-ledger-digest-entry/v1\nseq 1\nsize 1\nsha256 ${h}\nextra\n`,
  ]) assert.equal(parseDigestEntry(Buffer.from(text)), undefined, text);
});

test('a large record goes through the log as its digest entry and is proven by it', async () => {
  const files = new Map<string, Buffer>();
  const fetch = async (path: string) => files.get(path)!;
  const records = [Buffer.from('{"small":1}'), Buffer.alloc(200_000, 0x78), Buffer.from('{"small":3}')];
  const result = LogAppender.empty().append(records.map((r, seq) => ledgerEntry(seq, r)));
  for (const f of result.files) files.set(f.path, f.data);
  const proof = await inclusionProofFromTiles(fetch, 1, result.size);
  const leaf = await leafHashFromTiles(fetch, 1, result.size);
  verifyInclusion(1, result.size, leaf, proof, result.root);
  // The stored entry is the small digest form, and the full record checks against it.
  const bundle = files.get('tile/entries/000.p/3')!;
  assert.ok(bundle.length < 200);
  assert.ok(entryMatchesRecord(digestEntry(1, records[1]), 1, records[1]));
});
