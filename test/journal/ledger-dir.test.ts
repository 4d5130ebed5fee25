/**
 * The ledger's file store on a disk that fills up: a write that fails leaves no half-written
 * temporary file behind (its space is what the next attempt needs), and the files written before
 * it stay whole.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerFiles } from '../../src/journal/ledger/ledger-dir.js';
import { mountTmpfs } from '../helpers/tmpfs.js';

const freeBytes = (dir: string) => { const s = statfsSync(dir); return s.bavail * s.bsize; };

const allFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name));

test('a write that fills the disk removes its temporary file and keeps the files written before it', () => {
  const fs = mountTmpfs('256k');
  try {
    const files = ledgerFiles(fs.dir, { fsync: true });
    const tile = Buffer.alloc(32 * 256, 1);
    const free = freeBytes(fs.dir);
    const tooLarge = Buffer.alloc(free + 4096, 2);
    assert.throws(
      () => files.write([{ path: 'tile/0/000', data: tile }, { path: 'tile/entries/000.p/7', data: tooLarge }]),
      (err: NodeJS.ErrnoException) => err.code === 'ENOSPC',
    );
    assert.deepEqual(allFiles(fs.dir).map((f) => f.slice(fs.dir.length + 1)), ['tile/0/000']);
    assert.deepEqual(readFileSync(join(fs.dir, 'tile/0/000')), tile);
    assert.ok(freeBytes(fs.dir) >= free - tile.length - 4096 * 4, 'the failed file\'s space is free again');

    // The retry names another partial width (more records arrived meanwhile) and fits.
    files.write([{ path: 'tile/entries/000.p/9', data: Buffer.alloc(4096, 3) }]);
    assert.deepEqual(allFiles(fs.dir).map((f) => f.slice(fs.dir.length + 1)).sort(), ['tile/0/000', 'tile/entries/000.p/9']);
  } finally {
    fs.unmount();
  }
});
