/**
 * Verify as the console runs it against a server (a fake API over a signed in-memory log): the
 * record checks out; a key other than the pinned one, a checkpoint older than one seen before, or
 * a log that does not extend the checkpoint seen before is refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rootOf } from '../../src/ledger/hash.js';
import { consistencyProof } from '../../src/ledger/proof.js';
import { ApiError, type Api } from '../../ui/src/lib/api.js';
import { verifyRecordOnServer } from '../../ui/src/lib/ledger-client.js';
import { directReader } from '../ledger/helpers.js';
import { signedJournal, VKEY } from './helpers.js';

const journal = signedJournal(300);

function fakeApi(): Api {
  return {
    async json<T>(path: string, params?: URLSearchParams): Promise<T> {
      const p = params ?? new URLSearchParams();
      if (path === 'sys/ledger/key') return { verifier_key: VKEY, origin: 'PeterNeumann' } as T;
      if (path === 'sys/ledger/proof/inclusion') return journal.proof(Number(p.get('index'))) as T;
      if (path === 'sys/ledger/proof/consistency') {
        const from = Number(p.get('from'));
        const to = Number(p.get('to'));
        return { from, to, hashes: consistencyProof(directReader(journal.leaves), from, to).map((h) => h.toString('base64')) } as T;
      }
      if (path === 'sys/journal/records') {
        const seq = Number(p.get('after_seq')) + 1;
        assert.equal(p.get('format'), 'raw');
        return { records: [{ seq, text: journal.texts[seq] }], next_cursor: null } as T;
      }
      throw new Error(`unexpected ${path}`);
    },
    async text(path: string) {
      assert.equal(path, 'sys/ledger/checkpoint');
      return journal.note;
    },
    async bytes() {
      throw new Error('unexpected');
    },
  };
}

const seenAt = (size: number, key = VKEY) => ({ key, size, root: rootOf(journal.leaves.slice(0, size)).toString('base64') });

test('a record verifies, and the checkpoint is remembered; the next one is proved to extend it', async () => {
  const first = await verifyRecordOnServer(fakeApi(), 17);
  assert.equal(first.verdict.ok, true);
  assert.deepEqual(first.seen, seenAt(300));
  assert.equal(first.extended, undefined);
  assert.equal(first.text, journal.texts[17], 'the text verified');
  assert.equal(first.newKey, false);
  const later = await verifyRecordOnServer(fakeApi(), 17, { pinnedKey: VKEY, seen: [seenAt(200)] });
  assert.equal(later.verdict.ok, true, later.verdict.ok ? '' : later.verdict.reason);
  assert.equal(later.extended, 200);
  // A checkpoint seen under another key (another server, a new dev server) is not compared, but the change of key is said.
  const other = await verifyRecordOnServer(fakeApi(), 17, { seen: [{ ...seenAt(200), key: 'other+00000000+AQ==' }] });
  assert.equal(other.verdict.ok, true);
  assert.equal(other.extended, undefined);
  assert.equal(other.newKey, true);
  // The checkpoint of this key is found among those of other keys.
  const among = await verifyRecordOnServer(fakeApi(), 17, { seen: [{ ...seenAt(250), key: 'other+00000000+AQ==' }, seenAt(200)] });
  assert.deepEqual([among.verdict.ok, among.extended, among.newKey], [true, 200, false]);
});

test('a key other than the pinned one, an older checkpoint, or rewritten history is refused', async () => {
  const pinned = await verifyRecordOnServer(fakeApi(), 17, { pinnedKey: 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW' });
  assert.deepEqual(pinned.verdict, { ok: false, reason: 'the server\'s ledger key is not the key pinned in this browser' });
  const older = await verifyRecordOnServer(fakeApi(), 17, { seen: [{ ...seenAt(300), size: 400 }] });
  assert.equal(older.verdict.ok, false);
  assert.match(older.verdict.ok ? '' : older.verdict.reason, /older than one this browser verified before \(size 400\)/);
  const forged = await verifyRecordOnServer(fakeApi(), 17, { seen: [{ ...seenAt(200), root: seenAt(199).root }] });
  assert.equal(forged.verdict.ok, false);
  assert.match(forged.verdict.ok ? '' : forged.verdict.reason, /does not extend the checkpoint this browser verified before \(size 200\)/);
  assert.equal(forged.seen, undefined, 'nothing to remember');
});

test('a call the server refuses or does not answer leaves the record unchecked, not failed', async () => {
  const refusing = (status: number, message: string): Api => ({ ...fakeApi(), text: async (path) => { throw new ApiError(status, message, path); } });
  const refused = await verifyRecordOnServer(refusing(403, 'permission denied'), 17);
  assert.equal(refused.unchecked, true);
  assert.deepEqual(refused.verdict, { ok: false, reason: 'permission denied: this token may not read sys/ledger/checkpoint' });
  const sealed = await verifyRecordOnServer(refusing(503, 'Vault is sealed'), 17);
  assert.deepEqual([sealed.unchecked, sealed.verdict], [true, { ok: false, reason: 'Vault is sealed' }]);
  const forged = await verifyRecordOnServer({ ...fakeApi(), text: async () => 'not a checkpoint' }, 17);
  assert.equal(forged.verdict.ok, false);
  assert.equal(forged.unchecked, undefined, 'a checkpoint that does not open is a failure');
});

test('a record newer than the checkpoint is not checked yet, not failed', async () => {
  const newest = await verifyRecordOnServer(fakeApi(), 300);
  assert.equal(newest.unchecked, true);
  assert.deepEqual(newest.verdict, { ok: false, reason: 'record 300 is not in a signed checkpoint yet (size 300): try again in a moment' });
});
