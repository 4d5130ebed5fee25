import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, statfsSync, writeSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFileAppender } from '../../../src/audit/devices/file/appender.js';
import { createPageCacheTrimmer } from '../../../src/lib/page-cache.js';
import { systemClock } from '../../../src/lib/clock.js';
import { flushAndDropPages } from '../../../src/lib/fadvise.js';
import { numberedLines, testContext, withTempDir } from './helpers.js';

interface Drop { fd: number; offset: number; length: number }

const settle = () => new Promise((r) => setImmediate(r));

/** A trimmer whose releases the test settles by hand. */
function trimmer(options: { windowBytes?: number; stepBytes?: number } = {}) {
  const drops: Drop[] = [];
  const pending: Array<{ resolve(): void; reject(err: Error): void }> = [];
  const errors: NodeJS.ErrnoException[] = [];
  const t = createPageCacheTrimmer({
    windowBytes: 1000,
    stepBytes: 500,
    ...options,
    release: (fd, offset, length) => {
      drops.push({ fd, offset, length });
      return new Promise<void>((resolve, reject) => { pending.push({ resolve, reject }); });
    },
    onError: (err) => { errors.push(err); },
  });
  return { t, drops, pending, errors };
}

describe('page-cache trimmer', () => {
  it('releases everything but the newest window, one step at a time, one release at a time', async () => {
    const { t, drops, pending } = trimmer();
    t.wrote(7, 1499);
    assert.equal(drops.length, 0, 'window + step not reached yet');
    t.wrote(7, 1500);
    assert.deepEqual(drops, [{ fd: 7, offset: 0, length: 500 }]);
    t.wrote(7, 4000);
    assert.equal(drops.length, 1, 'one release at a time');
    pending[0].resolve();
    await settle();
    assert.equal(t.releasedBytes, 500);
    t.wrote(7, 4000);
    assert.deepEqual(drops[1], { fd: 7, offset: 500, length: 2500 });
    pending[1].resolve();
    await settle();
    assert.equal(t.releasedBytes, 3000);
    t.wrote(7, 4400);
    assert.equal(drops.length, 2, 'less than a step since the last release');
  });

  it('closing waits for the release in flight, and a new file starts from 0', async () => {
    const { t, drops, pending } = trimmer();
    t.wrote(7, 2000);
    let closed = false;
    const closing = t.closing().then(() => { closed = true; });
    await settle();
    assert.equal(closed, false, 'fd 7 is still in use by the release');
    pending[0].resolve();
    await closing;
    assert.equal(t.releasedBytes, 0, 'nothing counted for a file that is gone');
    t.wrote(7, 1600); // the number reused by the next open
    assert.deepEqual(drops[1], { fd: 7, offset: 0, length: 600 });
  });

  it('reports a failing release once per episode, retries a step later, and keeps its place', async () => {
    const { t, drops, pending, errors } = trimmer();
    const eio = Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    t.wrote(7, 2000);
    pending[0].reject(eio);
    await settle();
    t.wrote(7, 2100);
    assert.equal(drops.length, 1, 'not asked again on the next batch');
    t.wrote(7, 2500);
    assert.deepEqual(drops[1], { fd: 7, offset: 0, length: 1500 }, 'a step later');
    pending[1].reject(eio);
    await settle();
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'EIO');
    assert.equal(t.releasedBytes, 0);
    t.wrote(7, 3000);
    assert.deepEqual(drops[2], { fd: 7, offset: 0, length: 2000 });
    pending[2].resolve();
    await settle();
    assert.equal(t.releasedBytes, 2000);
    t.wrote(7, 3500);
    pending[3].reject(eio);
    await settle();
    assert.equal(errors.length, 2, 'a new episode after a success');
  });

  it('does nothing at all without a way to release pages', () => {
    const t = createPageCacheTrimmer({ release: undefined, onError: () => assert.fail('no release expected') });
    assert.equal(t.enabled, false);
    t.wrote(7, 1 << 30);
    assert.equal(t.releasedBytes, 0);
  });
});

describe('file appender page cache', () => {
  it('releases written-back ranges of a busy file, contiguously, and loses no line', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const drops: Drop[] = [];
      const ctx = testContext({});
      const appender = createFileAppender(path, { mode: 0o600, fsync: false }, systemClock, ctx.log, {
        cache: { windowBytes: 64 << 10, stepBytes: 32 << 10, release: (fd, offset, length) => {
          drops.push({ fd, offset, length });
          return flushAndDropPages ? flushAndDropPages(fd, offset, length) : Promise.resolve(); // the real one on Linux
        } },
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
      assert.equal(drops.length, 3);
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

/** Bytes of `path` resident in the page cache, from util-linux's fincore (part of every Linux base system). */
function residentBytes(path: string): number {
  return Number(execFileSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', path], { encoding: 'utf8' }).trim());
}

const TMPFS_MAGIC = 0x01021994;

/** A directory on a disk-backed filesystem: tmpfs keeps its pages (they are the file). */
async function withDiskDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  return withTempDir(async (dir) => {
    if (statfsSync(dir).type !== TMPFS_MAGIC) return fn(dir);
    const local = await mkdtemp(join(process.cwd(), '.page-cache-test-'));
    try {
      return await fn(local);
    } finally {
      await rm(local, { recursive: true, force: true });
    }
  });
}

// Page dropping is a Linux feature: elsewhere the binding must be absent and the device unchanged.
const linux = process.platform === 'linux';

describe('flushAndDropPages', () => {
  it('is available exactly on Linux (the optional native binding built)', () => {
    assert.equal(typeof flushAndDropPages, linux ? 'function' : 'undefined');
  });

  it('flushes a file and drops a range of it from the page cache, off the event loop', async () => {
    if (!linux) return;
    await withDiskDir(async (dir) => {
      const path = join(dir, 'cached.log');
      const fd = openSync(path, 'a');
      try {
        writeSync(fd, Buffer.alloc(4 << 20, 0x61)); // dirty: the release must flush it first
        assert.equal(residentBytes(path), 4 << 20);
        await flushAndDropPages!(fd, 0, 3 << 20);
        // Only whole cached folios inside the range go, so how much of the range goes depends on
        // the folio sizes the kernel chose; the last MiB, outside it, always stays.
        const partly = residentBytes(path);
        assert.ok(partly >= 1 << 20 && partly < 4 << 20, `${partly} bytes still cached`);
        await flushAndDropPages!(fd, 0, 4 << 20);
        assert.equal(residentBytes(path), 0);
      } finally {
        closeSync(fd);
      }
    });
  });

  it('rejects with the errno code for a descriptor that is not open', async () => {
    if (!linux) return;
    await assert.rejects(flushAndDropPages!(1 << 20, 0, 4096), (err: NodeJS.ErrnoException) => err.code === 'EBADF');
  });
});
