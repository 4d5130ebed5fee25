/**
 * Every SQLite database the server keeps (the storage, the journal, the CloudTrail event store) is
 * readable by its owner only, even when the file, or its -wal and -shm files, exist with a laxer mode
 * — and making sure of it never releases the locks of a connection already open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openJournalDatabase } from '../../src/journal/schema.js';
import { openEventDatabase } from '../../src/trail/store/schema.js';
import { createSqliteStorage } from '../../src/storage/sqlite/sqlite-storage.js';

const mode = (path: string) => statSync(path).mode & 0o777;

test('a database opened with a laxer mode on disk is set back to 0600, with its -wal and -shm files', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-dbmode-'));
  try {
    const openers: Array<[string, (path: string) => { close(): unknown }]> = [
      ['journal.db', (p) => openJournalDatabase(p)],
      ['events.db', (p) => openEventDatabase(p)],
      ['sealtrail.db', (p) => createSqliteStorage({ path: p })],
    ];
    for (const [name, open] of openers) {
      const path = join(dir, name);
      // A first run makes the file; an administrator's chmod or a restore loosens it, and leaves a -wal file readable.
      await open(path).close();
      chmodSync(path, 0o644);
      writeFileSync(`${path}-wal`, '', { mode: 0o644 });
      chmodSync(`${path}-wal`, 0o644);
      const db = open(path);
      try {
        assert.equal(mode(path).toString(8), '600', name);
        assert.equal(mode(`${path}-wal`).toString(8), '600', `${name}-wal`);
      } finally {
        await db.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('opening a database a second time in the process keeps the first connection\'s lock: another process closing it leaves the -wal file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-dblock-'));
  const path = join(dir, 'journal.db');
  // The journal is opened by the thread answering requests, then by its indexer and reader threads.
  const first = openJournalDatabase(path);
  const second = openJournalDatabase(path);
  try {
    first.exec("CREATE TABLE IF NOT EXISTS probe (v TEXT); INSERT INTO probe VALUES ('before')");
    assert.equal(existsSync(`${path}-wal`), true);
    // An operator's query from another process (Python's sqlite3 module, as the sqlite3 shell:
    // it checkpoints and deletes the -wal file when it closes the last connection), then closed.
    const read = execFileSync('/usr/bin/python3', ['-c', `
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(db.execute('SELECT COUNT(*) FROM probe').fetchone()[0], end='')
db.close()
`, path], { encoding: 'utf8' });
    assert.equal(read, '1');
    // It did not take itself for the last connection: the -wal file the connections write to is still the file's.
    assert.equal(existsSync(`${path}-wal`), true, 'the -wal file was checkpointed and deleted under the open connections');
    first.exec("INSERT INTO probe VALUES ('after')");
    assert.equal(second.prepare('SELECT COUNT(*) FROM probe').pluck().get(), 2);
  } finally {
    second.close();
    first.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
