import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readUnsealKeyFile, writeUnsealKeyFile } from '../../../src/storage/barrier/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sealtrail-keyfile-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const key = Uint8Array.from({ length: 32 }, (_, i) => i * 7);

test('write then read the unseal key file (0600, parent created)', async () => {
  const path = join(dir, 'sub', 'unseal.key');
  await writeUnsealKeyFile(path, key);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(readFileSync(path, 'utf8'), Buffer.from(key).toString('base64') + '\n');
  assert.deepEqual(await readUnsealKeyFile(path), key);
});

test('rewriting an existing, too-open file tightens it to 0600', async () => {
  const path = join(dir, 'open.key');
  writeFileSync(path, 'old', { mode: 0o644 });
  chmodSync(path, 0o644);
  await writeUnsealKeyFile(path, key);
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('reads hex, base64 and base64url encodings', async () => {
  const encodings = [
    Buffer.from(key).toString('hex'),
    Buffer.from(key).toString('hex').toUpperCase(),
    Buffer.from(key).toString('base64'),
    Buffer.from(key).toString('base64url'),
    `  ${Buffer.from(key).toString('base64')}\r\n`,
  ];
  for (const [i, content] of encodings.entries()) {
    const path = join(dir, `enc-${i}.key`);
    writeFileSync(path, content, { mode: 0o600 });
    assert.deepEqual(await readUnsealKeyFile(path), key, content);
  }
});

test('refuses files open to group or others, bad contents and missing files', async () => {
  const loose = join(dir, 'loose.key');
  writeFileSync(loose, Buffer.from(key).toString('hex'));
  for (const mode of [0o640, 0o604, 0o620]) {
    chmodSync(loose, mode);
    await assert.rejects(readUnsealKeyFile(loose), {
      kind: 'invalid',
      code: 'unseal_key_file_permissions',
      message: `unseal key file ${loose} is accessible by group or others (mode 0${mode.toString(8)}); run: chmod 600 ${loose}`,
    });
  }
  const bad: string[] = ['', 'not a key!', Buffer.from(key.subarray(0, 16)).toString('hex'), Buffer.alloc(33).toString('base64')];
  for (const [i, content] of bad.entries()) {
    const path = join(dir, `bad-${i}.key`);
    writeFileSync(path, content, { mode: 0o600 });
    await assert.rejects(readUnsealKeyFile(path), {
      code: 'invalid_unseal_key_file',
      message: 'unseal key file must hold the 32-byte unseal key as base64 or hex',
    });
  }
  await assert.rejects(readUnsealKeyFile(join(dir, 'absent.key')), { code: 'unseal_key_file_missing' });
  await assert.rejects(writeUnsealKeyFile(join(dir, 'short.key'), new Uint8Array(16)), { code: 'invalid_unseal_key' });
});
