/**
 * Every SQLite database the server keeps (the storage, the journal, the CloudTrail event store) is
 * readable by its owner only, even when the file, or its -wal and -shm files, exist with a laxer mode.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
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
