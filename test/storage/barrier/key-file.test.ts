import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

test('a rewrite replaces the file whole (a new file renamed over it), never writing the old one in place', async () => {
  const path = join(dir, 'replaced.key');
  const old = Uint8Array.from({ length: 32 }, () => 9);
  await writeUnsealKeyFile(path, old);
  const held = join(dir, 'replaced.key.held');
  linkSync(path, held);
  await writeUnsealKeyFile(path, key);
  assert.deepEqual(await readUnsealKeyFile(path), key);
  assert.deepEqual(await readUnsealKeyFile(held), old, 'the old file was not truncated and rewritten');
  assert.equal(existsSync(`${path}.tmp`), false);
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

/** Settles within `ms`, or rejects: a read that blocks (on a FIFO) fails the test instead of hanging it. */
const within = <T>(p: Promise<T>, ms = 2000): Promise<T> =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still pending after ${ms} ms`)), ms).unref())]);

test('refuses a key file that is not a regular file (a FIFO, a directory) instead of blocking on it', async () => {
  const fifo = join(dir, 'fifo.key');
  execFileSync('mkfifo', ['-m', '600', fifo]);
  const folder = join(dir, 'folder.key');
  mkdirSync(folder, { mode: 0o700 });
  for (const path of [fifo, folder]) {
    await assert.rejects(within(readUnsealKeyFile(path)), {
      kind: 'invalid',
      code: 'unseal_key_file_not_regular',
      message: `unseal key file ${path} is not a regular file`,
    });
    await assert.rejects(within(writeUnsealKeyFile(path, key)), { code: 'unseal_key_file_not_regular' });
  }
});

test('a symlink to a 0600 key file is followed (mounted secrets are symlinks); its target mode is what is checked', async () => {
  const target = join(dir, 'target.key');
  writeFileSync(target, Buffer.from(key).toString('base64'), { mode: 0o600 });
  const link = join(dir, 'link.key');
  symlinkSync(target, link);
  assert.deepEqual(await readUnsealKeyFile(link), key);
  chmodSync(target, 0o644);
  await assert.rejects(readUnsealKeyFile(link), { code: 'unseal_key_file_permissions' });
});
