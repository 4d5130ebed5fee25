import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { recordCipher } from '../../../src/trail/store/record-cipher.js';
import { importKey, openValue, sealValue, termOf } from '../../../src/storage/index.js';

const ID = '0193f3c4-8a2b-7c3d-9e4f-5a6b7c8d9e0f';
const aad = (id: string) => Buffer.from(`sealtrail/trail-event/${id}`);
/** An internal error (500) whose cause, for the log, says why. */
const failed = (why: RegExp) => (err: unknown) => err instanceof Error && err.message === 'internal error' && why.test(String((err.cause as Error)?.message));

test('each stored event is sealed under its own key, derived from the store key and its event id', () => {
  const key = randomBytes(32);
  const cipher = recordCipher(key);
  const json = '{"eventName":"Encrypt"}';
  const sealed = cipher.seal(ID, json);
  assert.equal(termOf(sealed), 1);
  assert.equal(cipher.open(ID, sealed), json);
  // Not the store key: it does not open the record; the record key HMAC-SHA256(key, label ‖ id) does.
  assert.equal(openValue(importKey(key), sealed, aad(ID)).ok, false);
  const recordKey = createHmac('sha256', key).update(`sealtrail/trail-record-key\0${ID}`).digest();
  assert.equal(openValue(recordKey, sealed, aad(ID)).ok, true);
  // Moved onto another event's row: another key and other additional data.
  assert.throws(() => cipher.open('0193f3c4-8a2b-7c3d-9e4f-5a6b7c8d9e10', sealed), failed(/failed to decrypt \(auth\)/));
  // Another store's key opens nothing.
  assert.throws(() => recordCipher(randomBytes(32)).open(ID, sealed), failed(/failed to decrypt \(auth\)/));
});

test('events sealed under the store key itself (term 0) still open; an unknown term does not', () => {
  const key = randomBytes(32);
  const cipher = recordCipher(key);
  const old = sealValue(importKey(key), 0, Buffer.from('{"eventName":"Decrypt"}'), aad(ID));
  assert.equal(cipher.open(ID, old), '{"eventName":"Decrypt"}');
  const unknown = sealValue(importKey(key), 7, Buffer.from('{}'), aad(ID));
  assert.throws(() => cipher.open(ID, unknown), failed(/failed to decrypt \(unknown key\)/));
});
