/**
 * The console's verification code (ui/src/lib/, Web Crypto) against the server's (src/ledger/,
 * node:crypto): the RFC 6962 known answers, the same ledger entries, leaf hashes and proofs for
 * the same inputs, a signed checkpoint known answer, and whole records verified or refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafHash as serverLeafHash } from '../../src/ledger/hash.js';
import { consistencyProof, inclusionProof } from '../../src/ledger/proof.js';
import { ledgerEntry as serverLedgerEntry } from '../../src/ledger/entry.js';
import { formatVerifierKey, noteVerifier, parseSignerKey } from '../../src/ledger/note.js';
import { signCheckpoint } from '../../src/ledger/signed-checkpoint.js';
import { leafHash, rootFromInclusionProof, rootOf } from '../../ui/src/lib/merkle.js';
import { verifyConsistency } from '../../ui/src/lib/consistency.js';
import { ledgerEntry } from '../../ui/src/lib/entry.js';
import { openCheckpoint, parseVerifierKey } from '../../ui/src/lib/note.js';
import { verifyRecord } from '../../ui/src/lib/verify-record.js';
import { verifyLog } from '../../ui/src/lib/verify-log.js';
import { toHex } from '../../ui/src/lib/bytes.js';
import { ApiError } from '../../ui/src/lib/api.js';
import { directReader, prng, RFC_LEAVES, RFC_ROOTS } from '../ledger/helpers.js';

import { signedJournal, SKEY, VKEY } from './helpers.js';
/** The RFC 6962 eight-leaf tree's checkpoint, signed by the PeterNeumann key (Ed25519 is deterministic). */
const RFC_CHECKPOINT = 'PeterNeumann\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n\n\u2014 PeterNeumann x08gozdSgLMzAnw63LH1RGViJhUfW60EUGKY7Kmr004fQNOSqfrcd1hIk3BCtdcLWIqvGtX67sL24VN+44uTlxMnbAA=\n';

test('leaf hashes and roots of the RFC 6962 test leaves are the published ones', async () => {
  const leaves = await Promise.all(RFC_LEAVES.map((l) => leafHash(l)));
  for (let n = 1; n <= RFC_LEAVES.length; n++) assert.equal(toHex(await rootOf(leaves.slice(0, n))), RFC_ROOTS[n - 1].toString('hex'), `root of ${n}`);
  assert.equal(toHex(await rootOf([])), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  RFC_LEAVES.forEach((l, i) => assert.equal(toHex(leaves[i]), serverLeafHash(l).toString('hex')));
});

test('inclusion proofs made by the server walk to the same root in the console, for every leaf of trees up to 40', async () => {
  const leaves = Array.from({ length: 40 }, (_, i) => serverLeafHash(Buffer.from(`leaf ${i}`)));
  const read = directReader(leaves);
  for (let size = 1; size <= leaves.length; size++) {
    const root = toHex(await rootOf(leaves.slice(0, size)));
    for (let index = 0; index < size; index++) {
      const proof = inclusionProof(read, index, size);
      assert.equal(toHex(await rootFromInclusionProof(index, size, leaves[index], proof)), root, `leaf ${index} of ${size}`);
    }
  }
  await assert.rejects(rootFromInclusionProof(3, 8, leaves[3], inclusionProof(read, 3, 8).slice(1)), /shorter/);
  await assert.rejects(rootFromInclusionProof(3, 8, leaves[3], [...inclusionProof(read, 3, 8), leaves[0]]), /longer/);
  await assert.rejects(rootFromInclusionProof(8, 8, leaves[3], []), /not below/);
});

test('consistency proofs made by the server verify in the console for every pair of sizes up to 24; altered ones do not', async () => {
  const leaves = Array.from({ length: 24 }, (_, i) => serverLeafHash(Buffer.from(`leaf ${i}`)));
  const read = directReader(leaves);
  const roots = [await rootOf([]), ...await Promise.all(leaves.map((_, i) => rootOf(leaves.slice(0, i + 1))))];
  for (let to = 0; to <= leaves.length; to++) {
    for (let from = 0; from <= to; from++) {
      await verifyConsistency(from, to, consistencyProof(read, from, to), roots[from], roots[to]);
    }
  }
  // The RFC 6962 vectors: 6 → 8.
  const rfc = RFC_LEAVES.map(serverLeafHash);
  const proof = consistencyProof(directReader(rfc), 6, 8);
  await verifyConsistency(6, 8, proof, RFC_ROOTS[5], RFC_ROOTS[7]);
  await assert.rejects(verifyConsistency(6, 8, proof, RFC_ROOTS[4], RFC_ROOTS[7]), /first root differs/);
  await assert.rejects(verifyConsistency(6, 8, proof, RFC_ROOTS[5], RFC_ROOTS[6]), /second root differs/);
  await assert.rejects(verifyConsistency(6, 8, proof.slice(1), RFC_ROOTS[5], RFC_ROOTS[7]));
  await assert.rejects(verifyConsistency(8, 6, proof, RFC_ROOTS[7], RFC_ROOTS[5]), /does not precede/);
  await assert.rejects(verifyConsistency(8, 8, [], RFC_ROOTS[7], RFC_ROOTS[6]), /different roots/);
});

test('ledger entries: verbatim records, and digest entries for large records or ones that look like a digest entry', async () => {
  const random = prng(7);
  const records = [
    Buffer.from('{"type":"request"}'),
    Buffer.from(''),
    Buffer.from('{"name":"na\u00efve \u2014 \ud83d\udd12"}'),
    Buffer.alloc(65535, 0x61),
    Buffer.alloc(65536, 0x62),
    Buffer.from('sealtrail-ledger-digest-entry/v1\nseq 1\nsize 1\nsha256 00\n'),
    Buffer.from(Array.from({ length: 70000 }, () => random(256))),
  ];
  for (const [i, record] of records.entries()) {
    assert.equal(toHex(await ledgerEntry(1000 + i, record)), Buffer.from(serverLedgerEntry(1000 + i, record)).toString('hex'), `record ${i}`);
  }
});

test('the signed checkpoint known answer: the server signs exactly it, the console verifies it', async () => {
  const signer = parseSignerKey(SKEY);
  assert.equal(signCheckpoint({ origin: 'PeterNeumann', size: 8, root: RFC_ROOTS[7], extensions: [] }, signer), RFC_CHECKPOINT);
  assert.equal(formatVerifierKey(noteVerifier(signer.name, signer.privateKey)), VKEY);
  const key = await parseVerifierKey(VKEY);
  const checkpoint = await openCheckpoint(RFC_CHECKPOINT, key);
  assert.equal(checkpoint.origin, 'PeterNeumann');
  assert.equal(checkpoint.size, 8);
  assert.equal(toHex(checkpoint.root), RFC_ROOTS[7].toString('hex'));

  await assert.rejects(openCheckpoint(RFC_CHECKPOINT.replace('\n8\n', '\n9\n'), key), /does not verify/);
  await assert.rejects(openCheckpoint(RFC_CHECKPOINT.replace('x08gozdS', 'x08gozdT'), key), /does not verify/);
  await assert.rejects(openCheckpoint(RFC_CHECKPOINT.replace('\u2014 PeterNeumann', '\u2014 Someone'), key), /no signature by the log key/);
  await assert.rejects(parseVerifierKey(VKEY.replace('c74f20a3', 'c74f20a4')), /key id does not match/);
  await assert.rejects(parseVerifierKey('PeterNeumann+c74f20a3'), /name\+id\+key/);
});

test('a record verifies against its proof and the signed checkpoint; a changed record, proof or key does not', async () => {
  const j = signedJournal(300);
  for (const seq of [0, 5, 17, 256, 299]) {
    const verdict = await verifyRecord({ seq, text: j.texts[seq], checkpointNote: j.note, verifierKey: VKEY, proof: j.proof(seq) });
    assert.equal(verdict.ok, true, `record ${seq}: ${verdict.ok ? '' : verdict.reason}`);
    if (verdict.ok) assert.equal(verdict.checkpoint.size, 300);
  }
  const altered = await verifyRecord({ seq: 17, text: j.texts[17].replace('app17', 'app18'), checkpointNote: j.note, verifierKey: VKEY, proof: j.proof(17) });
  assert.deepEqual(altered, { ok: false, reason: 'the record does not match its ledger entry: the root computed from it and the proof differs from the signed checkpoint\'s' });
  const wrongProof = await verifyRecord({ seq: 17, text: j.texts[17], checkpointNote: j.note, verifierKey: VKEY, proof: j.proof(18) });
  assert.equal(wrongProof.ok, false);
  const otherKey = 'other+0a0b0c0d+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
  const badKey = await verifyRecord({ seq: 17, text: j.texts[17], checkpointNote: j.note, verifierKey: otherKey, proof: j.proof(17) });
  assert.equal(badKey.ok, false);
});

test('the whole log recomputes to the signed root from its entry bundles; a changed bundle does not', async () => {
  const j = signedJournal(600);
  const checkpoint = await openCheckpoint(j.note, await parseVerifierKey(VKEY));
  const progress: number[] = [];
  assert.deepEqual(await verifyLog(j.log.fetch, 600, checkpoint.root, (done) => progress.push(done)), { ok: true, size: 600 });
  assert.deepEqual(progress, [256, 512, 600]);
  const tampered = new Map(j.log.files);
  const bundle = Buffer.from(tampered.get('tile/entries/001')!);
  bundle[10] ^= 1;
  tampered.set('tile/entries/001', bundle);
  const verdict = await verifyLog(async (p) => tampered.get(p)!, 600, checkpoint.root, () => undefined);
  assert.equal(verdict.ok, false);
});

test('a bundle the server refuses or does not send leaves the log unchecked, not failed', async () => {
  const j = signedJournal(300);
  const checkpoint = await openCheckpoint(j.note, await parseVerifierKey(VKEY));
  const refused = await verifyLog(async () => { throw new ApiError(403, 'permission denied', 'sys/ledger/tile/entries/000'); }, 300, checkpoint.root, () => undefined);
  assert.deepEqual(refused, { ok: false, reason: 'entry bundle 0: permission denied: this token may not read sys/ledger/tile/entries/000', unchecked: true });
  const garbled = await verifyLog(async () => new Uint8Array([0xff]), 300, checkpoint.root, () => undefined);
  assert.equal(garbled.ok, false);
  assert.equal(garbled.ok ? undefined : garbled.unchecked, undefined, 'a bundle that does not parse is a failure');
});
