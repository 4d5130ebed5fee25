import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createJournalStore } from '../../src/journal/index.js';
import { runCli } from '../../src/cli/run.js';
import { memoryIo, runIn } from './harness.js';
import { entryOffset, flipByte, logKey, ORIGIN, recordTexts, writeLog, type LogKey } from './ledger-fixture.js';

const KEY = logKey();

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-verify-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

const okLine = (size: number, root: Buffer, more = '') =>
  `OK: ${ORIGIN} at tree size ${size}, root ${root.toString('base64')}: every entry and tile reproduces the signed root${more}\n`;

const verify = (dir: string, key: LogKey = KEY, ...more: string[]) => runIn(['ledger', 'verify', '--dir', dir, '--key', key.vkey, ...more]);

test('verify --dir: an untouched log of 600 entries (three bundles, written in three appends) verifies', async () => {
  await withDir(async (dir) => {
    const log = writeLog(join(dir, 'log'), recordTexts(600), KEY);
    const run = await verify(log.dir);
    assert.equal(run.stderr, '');
    assert.equal(run.code, 0);
    assert.equal(run.stdout, okLine(600, log.root));
    // On a terminal, a progress line is drawn on stderr (the first update at once) and cleared.
    const io = memoryIo();
    assert.equal(await runCli(['ledger', 'verify', '--dir', log.dir, '--key', KEY.vkey], { ...io, stderrIsTty: true }), 0);
    const progress = io.err.join('');
    // eslint-disable-next-line no-control-regex -- the terminal escape is what it checks
    assert.match(progress, /^\r\x1b\[Kverified 256 of 600 entries \(42\.7%\), \d+ entries\/s, ETA (\d+ s|\?)/);
    assert.ok(progress.endsWith('\r\x1b[K'), JSON.stringify(progress));
    // The key from a file works the same.
    writeFileSync(join(dir, 'vkey'), `${KEY.vkey}\n`);
    const fromFile = await runIn(['ledger', 'verify', '--dir', log.dir, '--key', join(dir, 'vkey')]);
    assert.equal(fromFile.stdout, okLine(600, log.root));
  });
});

test('verify --dir: partials the log has since filled and removed are read from the full files', async () => {
  await withDir(async (dir) => {
    const records = recordTexts(600);
    const at300 = writeLog(join(dir, 'at300'), records.slice(0, 300), KEY, 1);
    // The same log grown to 600 in two appends, its partials of 300 removed as the server removes them.
    const grown = writeLog(join(dir, 'grown'), records, KEY, 2);
    for (const partial of ['tile/0/001.p/44', 'tile/entries/001.p/44']) {
      assert.ok(existsSync(join(grown.dir, partial)));
      rmSync(join(grown.dir, partial));
    }
    writeFileSync(join(grown.dir, 'checkpoint'), at300.note);
    const run = await verify(grown.dir);
    assert.equal(run.stderr, '');
    assert.equal(run.stdout, okLine(300, at300.root));
  });
});

test('verify --dir: one changed byte of an entry names that entry', async () => {
  await withDir(async (dir) => {
    const log = writeLog(join(dir, 'log'), recordTexts(600), KEY);
    const bundle = readFileSync(join(log.dir, 'tile/entries/001'));
    flipByte(log.dir, 'tile/entries/001', entryOffset(bundle, 44) + 5);
    const run = await verify(log.dir);
    assert.equal(run.code, 3);
    assert.equal(run.stdout, '');
    assert.equal(run.stderr, 'FAILED: entry 300: tile/0/001: hash 44 of the tile differs from the entries\n');
  });
});

test('verify --dir: one changed byte of a level-0 tile names the entry of that hash', async () => {
  await withDir(async (dir) => {
    const log = writeLog(join(dir, 'log'), recordTexts(600), KEY);
    flipByte(log.dir, 'tile/0/002.p/88', 32 * 17 + 3);
    const run = await verify(log.dir);
    assert.equal(run.code, 3);
    assert.equal(run.stderr, 'FAILED: entry 529: tile/0/002.p/88: hash 17 of the tile differs from the entries\n');
  });
});

test('verify --dir: the wrong key, or a checkpoint that is not there, fails with the reason', async () => {
  await withDir(async (dir) => {
    const log = writeLog(join(dir, 'log'), recordTexts(10), KEY);
    const other = logKey();
    const wrong = await verify(log.dir, other);
    assert.equal(wrong.code, 3);
    assert.equal(wrong.stderr, `FAILED: the checkpoint does not verify with the key of ${ORIGIN}: the note has no signature by a known key\n`);
    const bad = await runIn(['ledger', 'verify', '--dir', log.dir, '--key', 'not-a-key']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^--key: malformed key: a verifier key is name\+id\+key/);
    const missing = await verify(join(dir, 'nothing'));
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `Error reading checkpoint from ${join(dir, 'nothing')}: not found\n`);
    const both = await runIn(['ledger', 'verify', '--dir', log.dir, '--url', 'http://127.0.0.1:1', '--key', KEY.vkey]);
    assert.equal(both.code, 1);
    assert.equal(both.stderr, 'give one of --url or --dir\n');
  });
});

test('verify --since: a log that grew from the saved checkpoint passes; one rewritten under it fails consistency', async () => {
  await withDir(async (dir) => {
    const records = recordTexts(600);
    const saved = writeLog(join(dir, 'before'), records, KEY);
    writeFileSync(join(dir, 'cp.txt'), saved.note);
    const grown = writeLog(join(dir, 'grown'), [...records, ...recordTexts(100, 'later')], KEY);
    const ok = await verify(grown.dir, KEY, '--since', join(dir, 'cp.txt'));
    assert.equal(ok.stderr, '');
    assert.equal(ok.stdout, okLine(700, grown.root, '; the log extends the saved checkpoint of size 600'));
    // The tail cut off at 500 and grown again with other records: a valid log on its own, not an extension.
    const forked = writeLog(join(dir, 'forked'), [...records.slice(0, 500), ...recordTexts(200, 'other')], KEY);
    assert.equal((await verify(forked.dir)).code, 0);
    const fork = await verify(forked.dir, KEY, '--since', join(dir, 'cp.txt'));
    assert.equal(fork.code, 3);
    assert.equal(fork.stderr, 'FAILED: the log is not an extension of the saved checkpoint (size 600): entries before 600 were changed or removed\n');
    // Shorter than the saved checkpoint.
    const cut = writeLog(join(dir, 'cut'), records.slice(0, 500), KEY);
    const shorter = await verify(cut.dir, KEY, '--since', join(dir, 'cp.txt'));
    assert.equal(shorter.code, 3);
    assert.equal(shorter.stderr, 'FAILED: the log has 500 entries, fewer than the 600 of the saved checkpoint\n');
    // A saved checkpoint by another key is refused as input.
    const foreign = writeLog(join(dir, 'foreign'), records, logKey());
    writeFileSync(join(dir, 'foreign.txt'), foreign.note);
    const refused = await verify(grown.dir, KEY, '--since', join(dir, 'foreign.txt'));
    assert.equal(refused.code, 1);
    assert.equal(refused.stderr, `FAILED: the saved checkpoint ${join(dir, 'foreign.txt')} does not verify with the key of ${ORIGIN}: the note has no signature by a known key\n`);
  });
});

test('verify --journal: the records of a journal database match their entries; a changed record is named by its index', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'journal.db');
    const store = createJournalStore({ path });
    try {
      await Promise.all(recordTexts(600).map((text, i) => store.append({ kind: 'vault-request', timeNs: 1_780_000_000_000_000_000n + BigInt(i), text, keys: {} })));
      const rows = (await store.readSince(-1, 1000));
      assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 600 }, (_, i) => i));
      const log = writeLog(join(dir, 'log'), rows.map((r) => r.text), KEY);
      const ok = await verify(log.dir, KEY, '--journal', path);
      assert.equal(ok.stderr, '');
      assert.equal(ok.stdout, okLine(600, log.root, '; 600 journal records match their entries'));
    } finally {
      await store.close();
    }
    const db = new Database(path);
    db.prepare('UPDATE records SET text = ? WHERE seq = ?').run('{"seq":320,"tag":"forged"}', 320);
    db.close();
    const log = { dir: join(dir, 'log') };
    const run = await verify(log.dir, KEY, '--journal', path);
    assert.equal(run.code, 3);
    assert.equal(run.stderr, "FAILED: entry 320: the journal's record seq 320 differs from its ledger entry\n");
    const db2 = new Database(path);
    db2.prepare('DELETE FROM records WHERE seq = ?').run(0);
    db2.close();
    const gone = await verify(log.dir, KEY, '--journal', path);
    assert.equal(gone.code, 3);
    assert.equal(gone.stderr, 'FAILED: entry 0: record seq 0 is not in the journal (deleted, or removed by retention)\n');
    const none = await verify(log.dir, KEY, '--journal', join(dir, 'none.db'));
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^--journal: cannot open .*none\.db as a journal database/);
    const notDb = join(dir, 'passwd');
    writeFileSync(notDb, 'root:x:0:0:root:/root:/bin/bash\n'.repeat(40));
    const wrong = await verify(log.dir, KEY, '--journal', notDb);
    assert.deepEqual([wrong.code, wrong.stderr], [1, `sealtrail: ${notDb} is not a Sealtrail journal\n`]);
  });
});

test('verify --dir of a larger log (bundles read and hashed on a second thread): OK, and each defect named as on one thread', async () => {
  await withDir(async (dir) => {
    const records = recordTexts(5000);
    const log = writeLog(join(dir, 'log'), records, KEY, 4);
    const ok = await verify(log.dir);
    assert.equal(ok.stderr, '');
    assert.equal(ok.stdout, okLine(5000, log.root));

    const changed = join(dir, 'changed');
    writeLog(changed, records, KEY, 4);
    flipByte(changed, 'tile/entries/012', entryOffset(readFileSync(join(changed, 'tile/entries/012')), 200) + 3);
    const bad = await verify(changed);
    assert.equal(bad.code, 3);
    assert.equal(bad.stderr, 'FAILED: entry 3272: tile/0/012: hash 200 of the tile differs from the entries\n');

    const cut = join(dir, 'cut');
    writeLog(cut, records, KEY, 4);
    const bundle = readFileSync(join(cut, 'tile/entries/007'));
    writeFileSync(join(cut, 'tile/entries/007'), bundle.subarray(0, entryOffset(bundle, 10) + 4));
    const truncated = await verify(cut);
    assert.equal(truncated.code, 3);
    assert.equal(truncated.stderr, 'FAILED: entry 1802: tile/entries/007: malformed bundle: entry 10 is truncated\n');

    const gone = join(dir, 'gone');
    writeLog(gone, records, KEY, 4);
    rmSync(join(gone, 'tile/entries/015'));
    const missing = await verify(gone);
    assert.equal(missing.code, 3);
    assert.equal(missing.stderr, 'FAILED: entry 3840: tile/entries/015: unreadable: not found\n');
  });
});

test('verify --dir --journal of a larger log (second thread): the records match; a changed one is named', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'journal.db');
    const store = createJournalStore({ path });
    let log;
    try {
      await Promise.all(recordTexts(5000).map((text, i) => store.append({ kind: 'vault-request', timeNs: 1_780_000_000_000_000_000n + BigInt(i), text, keys: {} })));
      log = writeLog(join(dir, 'log'), (await store.readSince(-1, 5000)).map((r) => r.text), KEY, 4);
    } finally {
      await store.close();
    }
    const ok = await verify(log.dir, KEY, '--journal', path);
    assert.equal(ok.stderr, '');
    assert.equal(ok.stdout, okLine(5000, log.root, '; 5000 journal records match their entries'));
    const db = new Database(path);
    db.prepare('UPDATE records SET text = ? WHERE seq = ?').run('{"seq":4321,"tag":"forged"}', 4321);
    db.close();
    const run = await verify(log.dir, KEY, '--journal', path);
    assert.equal(run.code, 3);
    assert.equal(run.stderr, "FAILED: entry 4321: the journal's record seq 4321 differs from its ledger entry\n");
  });
});

test('a --key that names a file that is not there is reported as a missing file, not as a malformed key', async () => {
  await withDir(async (dir) => {
    const log = writeLog(join(dir, 'log'), recordTexts(10), KEY);
    for (const [cmd, more] of [['verify', ['--dir', log.dir]], ['verify-bundle', [join(dir, 'proof.json')]]] as const) {
      const missing = await runIn(['ledger', cmd, ...more, '--key', join(dir, 'ledger.vkey')]);
      assert.deepEqual([missing.code, missing.stderr], [1, `sealtrail: ${join(dir, 'ledger.vkey')}: no such file or directory\n`]);
    }
    const relative = await runIn(['ledger', 'verify', '--dir', log.dir, '--key', 'ledger.vkey']);
    assert.deepEqual([relative.code, relative.stderr], [1, 'sealtrail: ledger.vkey: no such file or directory\n']);
  });
});
