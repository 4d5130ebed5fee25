import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fateOf, fileGuard, identityOfFd, identityOfPath, nameCheck } from '../../src/lib/file-identity.js';

function withFile(fn: (dir: string, path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-identity-'));
  try {
    const path = join(dir, 'f');
    writeFileSync(path, 'x');
    fn(dir, path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('fateOf: the same file, deleted, replaced by a rename, or a file where the directory was', () => {
  withFile((dir, path) => {
    const opened = identityOfPath(path);
    assert.equal(fateOf(path, opened), undefined);
    writeFileSync(join(dir, 'g'), 'y');
    renameSync(join(dir, 'g'), path);
    assert.equal(fateOf(path, opened), 'replaced');
    unlinkSync(path);
    assert.equal(fateOf(path, opened), 'deleted');
    rmSync(dir, { recursive: true });
    writeFileSync(dir, '');
    assert.equal(fateOf(path, opened), 'deleted');
    unlinkSync(dir);
  });
});

test('nameCheck: one stat per interval while the file is found, every call once it is not; fresh always; a clock set back counts as stale', () => {
  withFile((_dir, path) => {
    let t = 1000;
    // Held open, as a writer holds its file: its inode cannot be reused by the file made below.
    const fd = openSync(path, 'r');
    const check = nameCheck(path, identityOfFd(fd), { intervalMs: 10, now: () => t });
    unlinkSync(path);
    assert.equal(check(), undefined, 'checked at creation: the next stat is 10 ms away');
    assert.equal(check(true), 'deleted');
    t += 5;
    assert.equal(check(), 'deleted', 'not found: every call stats');
    writeFileSync(path, 'z');
    assert.equal(check(), 'replaced');
    t = 500;
    assert.equal(check(), 'replaced', 'a clock set back: stale');
    closeSync(fd);
  });
});

test('fileGuard: throws what refuse makes once the path no longer names the file', () => {
  withFile((_dir, path) => {
    const guard = fileGuard(path, (fate) => new Error(`gone: ${fate}`));
    guard();
    unlinkSync(path);
    assert.throws(guard, /^Error: gone: deleted$/);
  });
});
