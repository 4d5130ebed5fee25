import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { formatCheckpoint, parseCheckpoint } from '../../src/ledger/checkpoint.js';
import { noteSigner, noteVerifier, signNote } from '../../src/ledger/note.js';
import { openCheckpoint, signCheckpoint } from '../../src/ledger/signed-checkpoint.js';
import { assertCode } from './helpers.js';

// The example of C2SP tlog-checkpoint.
const ROOT = Buffer.from('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'base64');

test('a checkpoint body is origin, size and base64 root, then extension lines, each ending in a newline', () => {
  const text = formatCheckpoint({ origin: 'example.com/behind-the-sofa', size: 20852163, root: ROOT, extensions: [] });
  assert.equal(text, 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n');
  assert.deepEqual(parseCheckpoint(text), { origin: 'example.com/behind-the-sofa', size: 20852163, root: ROOT, extensions: [] });
  const withExt = formatCheckpoint({ origin: 'o', size: 0, root: ROOT, extensions: ['ext one', 'two'] });
  assert.equal(withExt, `o\n0\n${ROOT.toString('base64')}\next one\ntwo\n`);
  assert.deepEqual(parseCheckpoint(withExt).extensions, ['ext one', 'two']);
});

test('malformed checkpoint bodies are rejected with ledger_invalid_checkpoint', () => {
  const b64 = ROOT.toString('base64');
  const bad = [
    '', 'o\n1\n', `o\n1\n${b64}`, `\n1\n${b64}\n`, `o o\n1\n${b64}\n`, `o+x\n1\n${b64}\n`, `o\u00a0x\n1\n${b64}\n`, `o\r\n1\n${b64}\n`,
    `o\n01\n${b64}\n`, `o\n-1\n${b64}\n`, `o\n+1\n${b64}\n`, `o\n1.0\n${b64}\n`, `o\n 1\n${b64}\n`, `o\n9007199254740992\n${b64}\n`,
    `o\n1\n${b64.replace('=', '')}\n`, `o\n1\n${ROOT.toString('base64url')}\n`, `o\n1\n${Buffer.alloc(31).toString('base64')}\n`,
    `o\n1\n${b64} \n`, `o\n1\n${b64}\n\n`, `o\n1\n${b64}\next\n\n`, `o\n1\n${b64}\nbad\u0007ext\n`,
    `o\n1\n${b64}\n${'e\n'.repeat(17)}`, `${'o'.repeat(5000)}\n1\n${b64}\n`,
  ];
  for (const text of bad) assertCode(() => parseCheckpoint(text), 'ledger_invalid_checkpoint');
  assertCode(() => formatCheckpoint({ origin: 'o', size: -1, root: ROOT, extensions: [] }), 'ledger_invalid_checkpoint');
  assertCode(() => formatCheckpoint({ origin: 'o', size: 1, root: Buffer.alloc(31), extensions: [] }), 'ledger_invalid_checkpoint');
  assertCode(() => formatCheckpoint({ origin: 'o', size: 1, root: ROOT, extensions: ['a\nb'] }), 'ledger_invalid_checkpoint');
  assertCode(() => formatCheckpoint({ origin: '', size: 1, root: ROOT, extensions: [] }), 'ledger_invalid_checkpoint');
});

test('a signed checkpoint opens with the log key named as its origin, and not otherwise', () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const signer = noteSigner('sealtrail.example/ledger', privateKey);
  const checkpoint = { origin: 'sealtrail.example/ledger', size: 7, root: ROOT, extensions: [] };
  const signed = signCheckpoint(checkpoint, signer);
  assert.match(signed, /^sealtrail\.example\/ledger\n7\nCsUYap[^\n]+\n\n\u2014 sealtrail\.example\/ledger [A-Za-z0-9+/]+=*\n$/);
  const logKey = noteVerifier(signer.name, privateKey);
  assert.deepEqual(openCheckpoint(signed, logKey).checkpoint, checkpoint);
  assertCode(() => openCheckpoint(signed.replace('\n7\n', '\n8\n'), logKey), 'ledger_unverified_note');
  assertCode(() => signCheckpoint({ ...checkpoint, origin: 'other' }, signer), 'ledger_invalid_checkpoint');
  // A key of another name that signs a checkpoint naming some origin does not vouch for that origin.
  const other = noteSigner('other.example', privateKey);
  const misnamed = signNote(formatCheckpoint(checkpoint), [other]);
  assertCode(() => openCheckpoint(misnamed, noteVerifier('other.example', privateKey)), 'ledger_invalid_checkpoint', /origin/);
  // A validly signed note whose body is not a checkpoint is rejected.
  assertCode(() => openCheckpoint(signNote('just text\n', [signer]), logKey), 'ledger_invalid_checkpoint');
});
