import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openRegularFile } from '../../src/lib/regular-file.js';

test('only a regular file is opened; a FIFO, a device and (unless followed) a link are refused without blocking', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-regular-'));
  try {
    const file = join(dir, 'a.txt');
    writeFileSync(file, 'text');
    const opened = await openRegularFile(file, { followLinks: false });
    assert.ok('file' in opened);
    assert.equal(opened.info.size, 4);
    assert.equal((await opened.file.readFile('utf8')), 'text');
    await opened.file.close();

    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    assert.deepEqual(await openRegularFile(fifo, { followLinks: true }), { refused: 'not a regular file' });
    assert.deepEqual(await openRegularFile('/dev/zero', { followLinks: true }), { refused: 'not a regular file' });

    const link = join(dir, 'link');
    symlinkSync(file, link);
    assert.deepEqual(await openRegularFile(link, { followLinks: false }), { refused: 'a symbolic link, not followed' });
    const followed = await openRegularFile(link, { followLinks: true });
    assert.ok('file' in followed);
    await followed.file.close();

    await assert.rejects(openRegularFile(join(dir, 'missing'), { followLinks: true }), { code: 'ENOENT' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('opened for writing with the given flags and mode: a new file is created, a FIFO or a directory is refused without blocking', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-regular-'));
  try {
    const write = { followLinks: true, flags: constants.O_WRONLY | constants.O_CREAT, mode: 0o600 };
    const created = join(dir, 'new.txt');
    const opened = await openRegularFile(created, write);
    assert.ok('file' in opened);
    await opened.file.writeFile('written');
    await opened.file.close();
    assert.equal(readFileSync(created, 'utf8'), 'written');
    assert.equal(statSync(created).mode & 0o777, 0o600);

    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    assert.deepEqual(await openRegularFile(fifo, write), { refused: 'not a regular file' });
    assert.deepEqual(await openRegularFile(dir, write), { refused: 'not a regular file' });

    const link = join(dir, 'link');
    symlinkSync(created, link);
    assert.deepEqual(await openRegularFile(link, { ...write, followLinks: false }), { refused: 'a symbolic link, not followed' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
