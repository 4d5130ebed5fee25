import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, openSync, statfsSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFileAppender } from '../../../src/audit/devices/file/appender.js';
import { createPageCacheTrimmer } from '../../../src/audit/devices/file/page-cache.js';
import { systemClock } from '../../../src/lib/clock.js';
import { dropCachedPages } from '../../../src/lib/fadvise.js';
import { numberedLines, testContext, withTempDir } from './helpers.js';

interface Drop { fd: number; offset: number; length: number }

/** A stand-in FileHandle whose datasync the test settles by hand. */
function fakeHandle(fd: number) {
  const pending: Array<{ resolve(): void; reject(err: Error): void }> = [];
  const fh = {
    fd,
    datasync: () => new Promise<void>((resolve, reject) => { pending.push({ resolve, reject }); }),
  } as unknown as FileHandle;
  return { fh, pending };
}

const settle = () => new Promise((r) => setImmediate(r));

function trimmer(errors: NodeJS.ErrnoException[] = []) {
  const drops: Drop[] = [];
  const t = createPageCacheTrimmer({
    windowBytes: 1000,
    stepBytes: 500,
    drop: (fd, offset, length) => { drops.push({ fd, offset, length }); return 0; },
    onError: (err) => { errors.push(err); },
  });
  return { t, drops, errors };
}

describe('page-cache trimmer', () => {
  it('flushes, then drops everything but the newest window, one step at a time', async () => {
    const { t, drops } = trimmer();
    const { fh, pending } = fakeHandle(7);
    t.wrote(fh, 1499);
    assert.equal(pending.length, 0, 'window + step not reached yet');
    t.wrote(fh, 1500);
    assert.equal(pending.length, 1);
    t.wrote(fh, 4000);
    assert.equal(pending.length, 1, 'one flush at a time');
    pending[0].resolve();
    await settle();
    assert.deepEqual(drops, [{ fd: 7, offset: 0, length: 500 }]);
    assert.equal(t.releasedBytes, 500);
    t.wrote(fh, 4000);
    pending[1].resolve();
    await settle();
    assert.deepEqual(drops[1], { fd: 7, offset: 500, length: 2500 });
    assert.equal(t.releasedBytes, 3000);
    t.wrote(fh, 4400);
    assert.equal(pending.length, 2, 'less than a step since the last release');
  });

  it('never drops through a descriptor that is being closed, and starts over on a new file', async () => {
    const { t, drops } = trimmer();
    const old = fakeHandle(7);
    t.wrote(old.fh, 2000);
    t.closing();
    old.pending[0].resolve();
    await settle();
    assert.deepEqual(drops, [], 'fd 7 may already belong to another file');
    const next = fakeHandle(8);
    t.wrote(next.fh, 1600);
    next.pending[0].resolve();
    await settle();
    assert.deepEqual(drops, [{ fd: 8, offset: 0, length: 600 }]);
  });

  it('reports a failing flush once per episode, keeps the pages, and tries again later', async () => {
    const { t, drops, errors } = trimmer();
    const { fh, pending } = fakeHandle(7);
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    t.wrote(fh, 2000);
    pending[0].reject(eio);
    await settle();
    t.wrote(fh, 2100);
    pending[1].reject(eio);
    await settle();
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'EIO');
    assert.deepEqual(drops, []);
    t.wrote(fh, 2200);
    pending[2].resolve();
    await settle();
    assert.deepEqual(drops, [{ fd: 7, offset: 0, length: 1200 }]);
    t.wrote(fh, 3000);
    pending[3].reject(eio);
    await settle();
    assert.equal(errors.length, 2, 'a new episode after a success');
  });

  it('drops a long range a slice per turn, and stops as soon as the descriptor is closing', async () => {
    const drops: Drop[] = [];
    const t = createPageCacheTrimmer({
      windowBytes: 1000, stepBytes: 500, sliceBytes: 400,
      drop: (fd, offset, length) => { drops.push({ fd, offset, length }); return 0; },
      onError: () => assert.fail('no error expected'),
    });
    const { fh, pending } = fakeHandle(7);
    t.wrote(fh, 2000);
    pending[0].resolve();
    await new Promise((r) => process.nextTick(r));
    await Promise.resolve();
    assert.deepEqual(drops, [{ fd: 7, offset: 0, length: 400 }], 'one slice in this turn');
    await settle();
    assert.deepEqual(drops[1], { fd: 7, offset: 400, length: 400 });
    t.closing();
    await settle();
    await settle();
    assert.equal(drops.length, 2, 'nothing dropped after closing()');
    assert.equal(t.releasedBytes, 800);
  });

  it('does nothing at all without a way to drop pages', () => {
    const t = createPageCacheTrimmer({ drop: undefined, onError: () => assert.fail('no flush expected') });
    assert.equal(t.enabled, false);
    const { fh, pending } = fakeHandle(7);
    t.wrote(fh, 1 << 30);
    assert.equal(pending.length, 0);
  });
});

describe('file appender page cache', () => {
  it('releases written-back ranges of a busy file, contiguously, and loses no line', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const drops: Drop[] = [];
      const ctx = testContext({});
      const appender = createFileAppender(path, { mode: 0o600, fsync: false }, systemClock, ctx.log, {
        cache: { windowBytes: 64 << 10, stepBytes: 32 << 10, drop: (fd, offset, length) => { drops.push({ fd, offset, length }); return 0; } },
      });
      await appender.open();
      // Batches of 500 lines (~6 KB) until three releases are done: the flushes run on the
      // threadpool and take as long as the disk wants, so the test waits for them, not a count.
      const lines: string[] = [];
      for (let batch = 0; appender.stats.cacheReleases < 3; batch++) {
        assert.ok(batch < 5000, 'releases keep up with the writes');
        const next = numberedLines(500, `b${batch}`);
        lines.push(...next);
        await appender.append(next);
        await new Promise((r) => setTimeout(r, 1));
      }
      await appender.close();
      assert.equal(await readFile(path, 'utf8'), lines.join(''));
      assert.equal(drops.length, 3, 'one slice (1 MiB) holds each 32 KiB release');
      let next = 0;
      for (const d of drops) {
        assert.equal(d.offset, next, 'ranges follow each other');
        next = d.offset + d.length;
      }
      assert.ok(next <= appender.stats.bytes - (64 << 10), 'the newest 64 KiB stay cached');
      assert.deepEqual(ctx.logs, []);
    });
  });
});

/** Bytes of `path` resident in the page cache, from util-linux's fincore; undefined without it. */
function residentBytes(path: string): number | undefined {
  try {
    return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

const TMPFS_MAGIC = 0x01021994;

describe('dropCachedPages', () => {
  it('is available on Linux (the optional native binding built)', () => {
    if (process.platform === 'linux') assert.equal(typeof dropCachedPages, 'function');
  });

  it('drops a flushed range from the page cache', async (t) => {
    if (!dropCachedPages) return t.skip('no posix_fadvise binding on this platform');
    await withTempDir(async (dir) => {
      if (statfsSync(dir).type === TMPFS_MAGIC) return t.skip('tmpfs keeps its pages: they are the file');
      const path = join(dir, 'cached.log');
      const fd = openSync(path, 'a');
      try {
        writeSync(fd, Buffer.alloc(4 << 20, 0x61));
        fsyncSync(fd);
        const before = residentBytes(path);
        if (before === undefined) return t.skip('fincore (util-linux) is not installed');
        assert.equal(before, 4 << 20);
        assert.equal(dropCachedPages!(fd, 0, 3 << 20), 0);
        // Only whole cached folios inside the range go, so how much of the range goes depends on
        // the folio sizes the kernel chose; the last MiB, outside it, always stays.
        const partly = residentBytes(path)!;
        assert.ok(partly >= 1 << 20 && partly < 4 << 20, `${partly} bytes still cached`);
        assert.equal(dropCachedPages!(fd, 0, 4 << 20), 0);
        assert.equal(residentBytes(path), 0);
      } finally {
        closeSync(fd);
      }
    });
  });
});
