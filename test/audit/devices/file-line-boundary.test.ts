import assert from 'node:assert/strict';
import { open, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cutToLineBoundary, lastLineEnd } from '../../../src/audit/devices/file/line-boundary.js';
import { withTempDir } from './helpers.js';

describe('file line boundary', () => {
  it('cuts back to the last acknowledged offset', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      await writeFile(path, 'one\ntwo\nthr');
      const fh = await open(path, 'a');
      assert.equal(await cutToLineBoundary(fh, path, 4), 4);
      await fh.close();
      assert.equal(await readFile(path, 'utf8'), 'one\n');
    });
  });

  it('cuts after the last newline when the file shrank below that offset (copytruncate)', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'audit.log');
      await writeFile(path, 'a\nbb\nccc');
      const fh = await open(path, 'a');
      assert.equal(await cutToLineBoundary(fh, path, 10_000), 5);
      await writeFile(path, 'no newline at all');
      assert.equal(await cutToLineBoundary(fh, path, Infinity), 0);
      await fh.close();
      assert.equal(await readFile(path, 'utf8'), '');
    });
  });

  it('finds a line end across read chunks', async () => {
    await withTempDir(async (dir) => {
      const path = join(dir, 'big.log');
      await writeFile(path, `head\n${'x'.repeat(200_000)}`);
      const fh = await open(path, 'r');
      assert.equal(await lastLineEnd(fh, 200_005), 5);
      await fh.close();
    });
  });
});
