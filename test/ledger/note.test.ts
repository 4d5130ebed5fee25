import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  formatSignerKey, formatVerifierKey, keyId, noteSigner, noteVerifier, openNote, parseSignerKey, parseVerifierKey, signNote,
} from '../../src/ledger/note.js';
import { assertCode } from './helpers.js';

// The example of Go's golang.org/x/mod/sumdb/note package documentation.
const VKEY = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const SKEY = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const SIG_LINE = '\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const NOTE = `${TEXT}\n${SIG_LINE}`;

test('the PeterNeumann note of Go\'s note package verifies with its verifier key', () => {
  const verifier = parseVerifierKey(VKEY);
  assert.equal(verifier.name, 'PeterNeumann');
  assert.equal(verifier.keyId, 0xc74f20a3);
  assert.equal(formatVerifierKey(verifier), VKEY);
  const opened = openNote(Buffer.from(NOTE), [verifier]);
  assert.equal(opened.text, TEXT);
  assert.deepEqual(opened.verified.map((s) => [s.name, s.keyId, s.signature.length]), [['PeterNeumann', 0xc74f20a3, 64]]);
  assert.deepEqual(opened.unverified, []);
});

test('signing the same text with the PeterNeumann signer key gives the published signature (Ed25519 is deterministic)', () => {
  const signer = parseSignerKey(SKEY);
  assert.equal(signer.keyId, 0xc74f20a3);
  assert.equal(formatSignerKey(signer), SKEY);
  assert.equal(signNote(TEXT, [signer]), NOTE);
  assert.equal(formatVerifierKey(noteVerifier(signer.name, signer.privateKey)), VKEY);
});

test('a modified note, a signature by a known key that does not verify, or no known signature is rejected', () => {
  const verifier = parseVerifierKey(VKEY);
  assertCode(() => openNote(NOTE.replace('cryptography', 'cryptographY'), [verifier]), 'ledger_unverified_note', /does not verify/);
  assertCode(() => openNote(NOTE.replace('x08go/', 'x08go/'.toUpperCase()), [verifier]), 'ledger_unverified_note');
  // The known key's id with a one-byte signature: parsed, then refused as not verifying.
  const short = Buffer.from([0xc7, 0x4f, 0x20, 0xa3, 0x00]).toString('base64');
  assertCode(() => openNote(`${TEXT}\n\u2014 PeterNeumann ${short}\n`, [verifier]), 'ledger_unverified_note', /does not verify/);
  const other = noteVerifier('SomeoneElse', generateKeyPairSync('ed25519').publicKey);
  assertCode(() => openNote(NOTE, [other]), 'ledger_unverified_note', /no signature by a known key/);
  assertCode(() => openNote(NOTE, []), 'ledger_unverified_note');
  // Same name, another key: the key id differs, so the signature counts as unknown, not as forged.
  const impostor = noteVerifier('PeterNeumann', generateKeyPairSync('ed25519').publicKey);
  assertCode(() => openNote(NOTE, [impostor]), 'ledger_unverified_note', /no signature by a known key/);
});

test('cosignatures: unknown keys are kept unverified, known ones verified, duplicates dropped', () => {
  const peter = parseSignerKey(SKEY);
  const { privateKey } = generateKeyPairSync('ed25519');
  const witness = noteSigner('witness.example/w1', privateKey);
  const both = signNote(TEXT, [peter, witness]);
  const opened = openNote(both, [parseVerifierKey(VKEY)]);
  assert.deepEqual(opened.verified.map((s) => s.name), ['PeterNeumann']);
  assert.deepEqual(opened.unverified.map((s) => [s.name, s.keyId]), [['witness.example/w1', keyId('witness.example/w1', privateKey)]]);
  const twice = openNote(`${both}${SIG_LINE}`, [noteVerifier(witness.name, privateKey), parseVerifierKey(VKEY)]);
  assert.deepEqual(twice.verified.map((s) => s.name), ['PeterNeumann', 'witness.example/w1']);
});

test('malformed notes are rejected with ledger_invalid_note', () => {
  const verifier = parseVerifierKey(VKEY);
  const bad: (string | Buffer)[] = [
    TEXT, `${TEXT}\n`, `${TEXT}\n${SIG_LINE.slice(0, -1)}`, `${TEXT}\n${SIG_LINE.replace('\u2014', '-')}`, `${TEXT}\n${SIG_LINE.replace(' x08', 'x08')}`,
    `${TEXT}\n${SIG_LINE.replace('PeterNeumann', 'Peter Neumann')}`, `${TEXT}\n${SIG_LINE.replace('=\n', '\n')}`, `${TEXT}\n\u2014 PeterNeumann AAAA\n`,
    `${TEXT}\n${SIG_LINE}\n`, `${TEXT.replace('\n', '\r\n')}\n${SIG_LINE}`, `${TEXT.replace('If', 'If\t')}\n${SIG_LINE}`,
    Buffer.concat([Buffer.from(TEXT.slice(0, 10)), Buffer.from([0xff]), Buffer.from(TEXT.slice(10)), Buffer.from(`\n${SIG_LINE}`)]),
    `${TEXT}\n${SIG_LINE.repeat(101)}`, `${'a'.repeat(70_000)}\n\n${SIG_LINE}`,
  ];
  for (const message of bad) assertCode(() => openNote(message, [verifier]), 'ledger_invalid_note');
  assertCode(() => signNote('no newline', [parseSignerKey(SKEY)]), 'ledger_invalid_note');
  assertCode(() => signNote(TEXT, []), 'ledger_invalid_note');
});

test('malformed or mismatched keys are rejected with ledger_invalid_key', () => {
  const bad = [
    '', 'PeterNeumann', 'PeterNeumann+c74f20a3', 'PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', '+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW',
    'PeterNeumann+c74f20a3+Alpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10',
    'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq_LDE4izWy10TW', 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW+x',
  ];
  for (const vkey of bad) assertCode(() => parseVerifierKey(vkey), 'ledger_invalid_key');
  assertCode(() => parseSignerKey(SKEY.replace('PRIVATE', 'private')), 'ledger_invalid_key');
  assertCode(() => parseSignerKey(SKEY.replace('c74f20a3', 'c74f20a4')), 'ledger_invalid_key', /key id does not match/);
  assertCode(() => parseSignerKey(VKEY), 'ledger_invalid_key');
  assertCode(() => noteSigner('PeterNeumann', generateKeyPairSync('ed448').privateKey), 'ledger_invalid_key');
  assertCode(() => noteSigner('a+b', generateKeyPairSync('ed25519').privateKey), 'ledger_invalid_key');
  // The signer key's seed never appears in the error.
  assertCode(() => parseSignerKey(SKEY.replace('c74f20a3', 'c74f20a4')), 'ledger_invalid_key', /^(?!.*AYEKFALV)/);
});
