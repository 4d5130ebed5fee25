import assert from 'node:assert/strict';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFileSink } from '../../../src/audit/devices/file/index.js';
import { listRotated, rotationStamp } from '../../../src/audit/devices/file/rotation.js';
import { manualClock } from '../../../src/lib/clock.js';
import { eventually, numberedLines, testContext, withTempDir } from './helpers.js';

const START = Date.UTC(2026, 10, 22, 22, 30, 0, 123);
const MINUTE = 60_000;

/** Everything the device wrote, oldest rotated file first, current file last. */
async function allContent(path: string): Promise<string> {
  const files = [...(await listRotated(path)), path];
  return (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('');
}

describe('file sink reopen and rotation', () => {
  it('names rotated files by UTC time with millisecond precision', () => {
    assert.equal(rotationStamp(START), '20261122T223000.123Z');
  });

  it('reopen during concurrent writes loses and duplicates nothing', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const moved = join(dir, 'audit.log.old');
      const sink = await createFileSink(testContext({ file_path: path }));
      const lines = numberedLines(2000);
      const pending: Promise<void>[] = [];
      for (let i = 0; i < lines.length; i++) {
        pending.push(sink.write(lines[i]));
        if (i % 100 === 0) await new Promise((r) => setImmediate(r));
        if (i === 1000) {
          // What logrotate does: move the file away, then signal the server.
          await rename(path, moved);
          pending.push(sink.reopen());
        }
      }
      await Promise.all(pending);
      await sink.close();
      const before = await readFile(moved, 'utf8');
      const after = await readFile(path, 'utf8');
      assert.equal(before + after, lines.join(''));
      assert.ok(before.length > 0 && after.length > 0);
      assert.equal(sink.stats.reopens, 1);
    });
  });

  it('rotates by size, keeping every line exactly once and no file over the limit', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const clock = manualClock(START);
      const sink = await createFileSink(testContext({ file_path: path, rotate_max_bytes: '1000', rotate_max_files: '0' }, clock));
      const lines = numberedLines(500); // 11 bytes each, 5,500 bytes
      await Promise.all(lines.map((l) => sink.write(l)));
      await sink.close();
      assert.equal(await allContent(path), lines.join(''));
      const rotated = await listRotated(path);
      assert.equal(rotated.length, 5); // 90 lines (990 bytes) per file
      for (const f of [...rotated, path]) assert.ok((await stat(f)).size <= 1000);
      // Same millisecond on the manual clock: names stay unique with a sequence suffix.
      assert.deepEqual(rotated.map((f) => f.slice(path.length)), [
        '.20261122T223000.123Z', '.20261122T223000.123Z-1', '.20261122T223000.123Z-2',
        '.20261122T223000.123Z-3', '.20261122T223000.123Z-4',
      ]);
      assert.equal(sink.stats.rotations, 5);
    });
  });

  it('keeps only rotate_max_files rotated files, deleting the oldest', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const clock = manualClock(START);
      const sink = await createFileSink(testContext({ file_path: path, rotate_max_bytes: '110', rotate_max_files: '3' }, clock));
      const lines = numberedLines(100); // 10 lines per file: 10 rotations, the last one for "last"
      for (const [i, line] of lines.entries()) {
        clock.advance(1);
        if (i % 7 === 0) await sink.write(line);
        else void sink.write(line);
      }
      await sink.write('last\n');
      await sink.close();
      const rotated = await listRotated(path);
      assert.equal(rotated.length, 3);
      // The kept files plus the current one are exactly the newest lines, in order.
      assert.equal(await allContent(path), [...lines.slice(70), 'last\n'].join(''));
      assert.equal(sink.stats.rotations, 10);
    });
  });

  it('rotates by interval using the sink clock', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const clock = manualClock(START);
      const sink = await createFileSink(testContext({ file_path: path, rotate_interval: '1h' }, clock));
      await sink.write('a\n');
      clock.advance(30 * MINUTE);
      await sink.write('b\n');
      clock.advance(31 * MINUTE);
      await sink.write('c\n');
      await sink.close();
      assert.deepEqual((await readdir(dir)).sort(), ['audit.log', 'audit.log.20261122T233100.123Z']);
      assert.equal(await readFile(join(dir, 'audit.log.20261122T233100.123Z'), 'utf8'), 'a\nb\n');
      assert.equal(await readFile(path, 'utf8'), 'c\n');
    });
  });

  it('rotates an idle file on its timer', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const sink = await createFileSink(testContext({ file_path: path, rotate_interval: '50ms' }));
      await sink.write('idle\n');
      // Polled: on a loaded machine the rename the timer starts can end after any fixed wait.
      await eventually(() => sink.stats.rotations >= 1, 5000);
      await sink.close();
      assert.equal(await allContent(path), 'idle\n');
      assert.equal(await readFile(path, 'utf8'), '');
    });
  });

  it('does not rotate an empty file on interval', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const clock = manualClock(START);
      const sink = await createFileSink(testContext({ file_path: path, rotate_interval: '1m' }, clock));
      clock.advance(5 * MINUTE);
      await sink.write('first\n');
      await sink.close();
      assert.deepEqual(await readdir(dir), ['audit.log']);
    });
  });

  it('lists rotated files oldest first, numerically within a millisecond', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      const names = ['audit.log.20261122T223000.123Z-10', 'audit.log.20261122T223000.123Z-2', 'audit.log.20261122T223000.123Z',
        'audit.log.20251122T223000.123Z', 'audit.log.old', 'audit.log'];
      for (const n of names) await writeFile(join(dir, n), '');
      assert.deepEqual((await listRotated(path)).map((f) => f.slice(dir.length + 1)), [
        'audit.log.20251122T223000.123Z', 'audit.log.20261122T223000.123Z',
        'audit.log.20261122T223000.123Z-2', 'audit.log.20261122T223000.123Z-10',
      ]);
    });
  });

  it('rejects the lines of a failed write and tries the path again on the next write', async () => {
    const sink = await createFileSink(testContext({ file_path: '/dev/full', mode: '0000' }));
    await assert.rejects(sink.write('x\n'), { message: 'file audit device: write to /dev/full failed: ENOSPC' });
    await assert.rejects(sink.write('y\n'), { message: 'file audit device: write to /dev/full failed: ENOSPC' });
    assert.equal(sink.stats.errors, 2);
    await sink.close();
  });
});
