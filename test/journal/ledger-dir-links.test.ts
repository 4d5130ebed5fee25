/**
 * The ledger's directory holds only its own files: whoever can write it (but nothing else) must not
 * get the server to read or overwrite a file elsewhere through a link planted there, nor hold a
 * read forever with a FIFO, nor fill its memory with a file far larger than a log file can be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerDirectoryStore } from '../../src/app/ledger.js';
import { ledgerFiles, prunePartials, readLedgerFile, readLedgerFileSync } from '../../src/journal/ledger/ledger-dir.js';

function scratch() {
  const base = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-links-'));
  const dir = join(base, 'ledger');
  mkdirSync(join(dir, 'tile', '0', '001.p'), { recursive: true });
  mkdirSync(join(dir, 'tile', 'entries'), { recursive: true });
  return { base, dir, done: () => rmSync(base, { recursive: true, force: true }) };
}

/** A file outside the ledger's directory, of exactly the size the path would have. */
function outside(base: string, name: string, bytes: number): string {
  const path = join(base, name);
  writeFileSync(path, Buffer.alloc(bytes, 'S'));
  return path;
}

const readBoth = async (dir: string, path: string) => [
  await readLedgerFile(dir, path).then((d) => d, (err: Error) => err),
  (() => { try { return readLedgerFileSync(dir, path); } catch (err) { return err as Error; } })(),
];

test('a link in the ledger\'s directory to a file elsewhere is refused, not read', async () => {
  const { base, dir, done } = scratch();
  try {
    symlinkSync(outside(base, 'secret-tile', 8192), join(dir, 'tile/0/000'));
    symlinkSync(outside(base, 'secret-partial', 200 * 32), join(dir, 'tile/0/001.p/200'));
    symlinkSync(outside(base, 'secret-bundle', 300), join(dir, 'tile/entries/005'));
    for (const path of ['tile/0/000', 'tile/0/001.p/200', 'tile/entries/005']) {
      for (const got of await readBoth(dir, path)) {
        assert.ok(got instanceof Error, `${path}: refused, not read`);
        assert.doesNotMatch(got.message, /SSSS/);
      }
    }
    // The log's own files still read, and a partial still falls back to its full file.
    writeFileSync(join(dir, 'tile/0/002'), Buffer.alloc(8192, 2));
    for (const got of await readBoth(dir, 'tile/0/002.p/3')) assert.deepEqual(got, Buffer.alloc(96, 2));
    for (const got of await readBoth(dir, 'tile/0/009')) assert.equal(got, undefined);
  } finally {
    done();
  }
});

test('a FIFO or a file larger than the path can hold is refused at once', { timeout: 20_000 }, async () => {
  const { dir, done } = scratch();
  try {
    execFileSync('mkfifo', [join(dir, 'tile/0/000')]);
    writeFileSync(join(dir, 'tile/0/001.p/5'), Buffer.alloc(5 * 32 + 1));
    for (const path of ['tile/0/000', 'tile/0/001.p/5']) {
      for (const got of await readBoth(dir, path)) assert.ok(got instanceof Error, `${path}: refused`);
    }
    execFileSync('mkfifo', [join(dir, 'checkpoint')]);
    assert.equal(await ledgerDirectoryStore(dir, false).readCheckpoint(), undefined);
  } finally {
    done();
  }
});

test('a link planted at a temporary file\'s name is replaced, and the file it points to is left alone', async () => {
  const { base, dir, done } = scratch();
  try {
    const victim = outside(base, 'victim', 10);
    mkdirSync(join(dir, 'tile/entries/000.p'), { recursive: true });
    symlinkSync(victim, join(dir, 'tile/entries/000.p/5.tmp'));
    symlinkSync(victim, join(dir, 'checkpoint.tmp'));
    ledgerFiles(dir, { fsync: false }).write([{ path: 'tile/entries/000.p/5', data: Buffer.from('bundle') }]);
    await ledgerDirectoryStore(dir, false).writeCheckpoint('a checkpoint\n');
    assert.deepEqual(readFileSync(victim), Buffer.alloc(10, 'S'), 'the file outside is untouched');
    assert.equal(readFileSync(join(dir, 'tile/entries/000.p/5'), 'utf8'), 'bundle');
    assert.equal(readFileSync(join(dir, 'checkpoint'), 'utf8'), 'a checkpoint\n');
    for (const file of ['tile/entries/000.p/5', 'checkpoint']) assert.ok(lstatSync(join(dir, file)).isFile(), `${file} is a file of the directory`);
  } finally {
    done();
  }
});

test('a directory of the log linked elsewhere is neither read, written nor pruned', async () => {
  const { base, dir, done } = scratch();
  try {
    const elsewhere = join(base, 'elsewhere');
    mkdirSync(elsewhere);
    for (let w = 1; w <= 20; w++) writeFileSync(join(elsewhere, String(w)), Buffer.alloc(w * 32, 'S'));
    mkdirSync(join(dir, 'tile/entries/000.p'));
    rmSync(join(dir, 'tile/0/001.p'), { recursive: true });
    symlinkSync(elsewhere, join(dir, 'tile/0/001.p'));
    symlinkSync(elsewhere, join(dir, 'tile/1'));
    for (const path of ['tile/0/001.p/20', 'tile/1/000.p/20']) {
      for (const got of await readBoth(dir, path)) assert.ok(got instanceof Error, `${path}: refused, not read`);
    }
    assert.throws(() => ledgerFiles(dir, { fsync: false }).write([{ path: 'tile/0/001.p/30', data: Buffer.alloc(30 * 32) }]), /ledger/);
    await assert.rejects(prunePartials(dir, 256 + 30), /ledger/);
    assert.deepEqual(readdirSync(elsewhere).sort((a, b) => Number(a) - Number(b)), Array.from({ length: 20 }, (_, i) => String(i + 1)));
  } finally {
    done();
  }
});
