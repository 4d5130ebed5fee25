import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createJournalStore, importFiles, openImportWriter, type JournalAppend } from '../../src/journal/index.js';
import { openJournalDatabase } from '../../src/journal/schema.js';
import { createJournalWriter } from '../../src/journal/writer.js';
import { IMPORT_BATCH_TEXT_BYTES } from '../../src/journal/import/limits.js';
import { vaultAuditPair } from '../helpers/vault-audit-lines.js';

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-jwriter-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const record = (i: number, text: string, keys: JournalAppend['keys'] = {}): JournalAppend => ({
  kind: 'vault-request', timeNs: 1_796_000_000_000_000_000n + BigInt(i), text, keys, origin: { file: '/logs/audit.log', line: i + 1 },
});

/** Every stored column of every record, in seq order. */
function rowsOf(path: string): unknown[] {
  const db = new Database(path, { readonly: true });
  try {
    return db.prepare('SELECT seq, time_ns, kind, request_id, entity_id, path, outcome, origin_file, origin_line, text, typeof(text) AS type FROM records ORDER BY seq').safeIntegers(true).all();
  } finally {
    db.close();
  }
}

test('records cross to the writer thread intact: any text byte for byte, keys, time and origin, as the store writes them', async () => {
  await withDir(async (dir) => {
    const texts = ['{"a":"plain"}', '{"q":"\\"quoted\\" \\u0000 \\n"}', '{"x":"é — 日本 😀"}', `{"big":"${'z'.repeat(200_000)}"}`, ''];
    const records = texts.map((t, i) => record(i, t, { requestId: `r-${i}`, entityId: i % 2 ? 'e-1' : undefined, path: 'secret/data/app', outcome: 'success' }));
    const viaThread = join(dir, 'thread.db');
    const writer = openImportWriter(viaThread);
    // Batches of growing size: the shared memory a batch is written into grows with them.
    assert.deepEqual(await writer.importBatch(records.slice(0, 1)), { added: 1, duplicates: 0 });
    assert.deepEqual(await writer.importBatch(records.slice(1)), { added: 4, duplicates: 0 });
    await writer.close();

    const direct = join(dir, 'direct.db');
    const store = createJournalStore({ path: direct });
    (await store.importBatch(records));
    await store.close();
    const rows = rowsOf(viaThread);
    assert.equal(rows.length, 5);
    assert.deepEqual(rows, rowsOf(direct));
    assert.ok(rows.every((r) => (r as { type: string }).type === 'text'));
  });
});

test('every key crosses intact whatever its characters: ASCII or not, an empty path, absent keys, records without an origin, several files', async () => {
  await withDir(async (dir) => {
    const all: JournalAppend['keys'] = {
      requestId: 'r-1', accessor: 'hmac-sha256:ab', entityId: 'é-1', correlationId: 'c-日本', accessKeyId: 'AKIA😀',
      userArn: 'arn:aws:iam::1:user/\u0000x', keyArn: 'arn:aws:kms:k', capsule: 'cap', session: 's', remoteAddress: '10.0.0.1',
      path: 'secret/data/ü/x', operation: 'read', outcome: 'failure',
    };
    const records: JournalAppend[] = [
      { ...record(0, '{"n":0}', all), kind: 'cloudtrail' },
      record(1, '{"n":1}', { path: '', outcome: 'success' }),
      { ...record(2, '{"n":2}', { requestId: 'ascii-only', session: 'z' }), origin: undefined },
      { ...record(3, '{"n":3}', { entityId: '\ud800', path: 'a/😀/b' }), kind: 'capsule-access', origin: { file: '/logs/other.log', line: 7 } },
      record(4, '{"n":4}', {}),
      { ...record(5, '{"n":5}', all), kind: 'server', origin: { file: '/logs/audit.log', line: 2 ** 40 } },
    ];
    const viaThread = join(dir, 'thread.db');
    const writer = openImportWriter(viaThread);
    assert.deepEqual(await writer.importBatch(records), { added: 6, duplicates: 0 });
    await writer.close();
    const direct = join(dir, 'direct.db');
    const store = createJournalStore({ path: direct });
    await store.importBatch(records);
    await store.close();
    const every = (path: string) => {
      const db = new Database(path, { readonly: true });
      try {
        return db.prepare('SELECT * FROM records ORDER BY seq').safeIntegers(true).all();
      } finally {
        db.close();
      }
    };
    const rows = every(viaThread) as Record<string, unknown>[];
    assert.equal(rows.length, 6);
    assert.deepEqual(rows, every(direct));
    assert.deepEqual([rows[0].entity_id, rows[0].correlation_id, rows[0].access_key_id, rows[0].path], ['é-1', 'c-日本', 'AKIA😀', 'secret/data/ü/x']);
    assert.deepEqual([rows[1].path, rows[1].request_id, rows[2].origin_file, rows[2].origin_line], ['', null, null, null]);
    assert.deepEqual([rows[3].origin_file, rows[3].kind, rows[5].origin_line], ['/logs/other.log', 'capsule-access', 2n ** 40n]);
  });
});

test('the same records again, or twice in one batch, add nothing', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'journal.db');
    const records = Array.from({ length: 30 }, (_, i) => record(i, `{"n":${i}}`));
    const writer = openImportWriter(path);
    assert.deepEqual(await writer.importBatch([...records.slice(0, 10), records[3], records[3]]), { added: 10, duplicates: 2 });
    // Sent together, committed in order: the second batch sees the first.
    const [a, b] = await Promise.all([writer.importBatch(records.slice(5, 20)), writer.importBatch(records.slice(15))]);
    assert.deepEqual([a, b], [{ added: 10, duplicates: 5 }, { added: 10, duplicates: 5 }]);
    await writer.close();
    assert.equal(rowsOf(path).length, 30);
  });
});

test('records sharing one time: each kept once, duplicates found within a batch, across batches and again; one byte more is another record', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'journal.db');
    const sameTime = (i: number, kind: JournalAppend['kind'] = 'vault-request'): JournalAppend => ({ ...record(0, `{"n":${i},"pad":"é"}`), kind, origin: { file: '/logs/same.log', line: i + 1 } });
    const writer = openImportWriter(path);
    // 2,000 records of one time, in batches of 500.
    for (let b = 0; b < 4; b++) {
      const batch = Array.from({ length: 500 }, (_, k) => sameTime(b * 500 + k));
      assert.deepEqual(await writer.importBatch([...batch, batch[0], batch[499]]), { added: 500, duplicates: 2 });
    }
    assert.deepEqual(await writer.importBatch(Array.from({ length: 2000 }, (_, i) => sameTime(i))), { added: 0, duplicates: 2000 });
    // The same text under another kind is another record; so is a text one byte longer.
    const longer = { ...sameTime(5), text: `${sameTime(5).text} ` };
    assert.deepEqual(await writer.importBatch([sameTime(7, 'vault-response'), sameTime(7, 'vault-response'), sameTime(2000), longer, longer]), { added: 3, duplicates: 2 });
    await writer.close();
    assert.equal(rowsOf(path).length, 2003);
  });
});

/**
 * The writer's connection, counting the stored texts its statements hand back and keeping the
 * SQL it prepares: what a batch reads, whatever SQLite does inside a statement.
 */
function watched(db: Database.Database): { db: Database.Database; textsRead(): number; statements: string[] } {
  let texts = 0;
  const statements: string[] = [];
  const count = (value: unknown) => {
    if (typeof value === 'string' || (typeof value === 'object' && value !== null && Object.values(value).some((v) => typeof v === 'string'))) texts++;
  };
  const watch = (statement: Database.Statement): Database.Statement => {
    const proxy: Database.Statement = new Proxy(statement, {
      get(target, name) {
        const value: unknown = Reflect.get(target, name, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result: unknown = value.apply(target, args);
          if (name === 'get') count(result);
          if (name === 'all') (result as unknown[]).forEach(count);
          if (name === 'iterate') throw new Error('not watched: iterate');
          // pluck(), safeIntegers() and the like return the statement itself.
          return result === target ? proxy : result;
        };
      },
    });
    return proxy;
  };
  const proxy = new Proxy(db, {
    get(target, name) {
      if (name === 'prepare') {
        return (sql: string) => {
          statements.push(sql);
          return watch(target.prepare(sql));
        };
      }
      const value: unknown = Reflect.get(target, name, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { db: proxy, textsRead: () => texts, statements };
}

test('a record is found among thousands of its time by its digest: no stored text is read back, one index entry leads to it', async () => {
  await withDir(async (dir) => {
    const db = openJournalDatabase(join(dir, 'journal.db'));
    try {
      const seen = watched(db);
      const writer = createJournalWriter(seen.db);
      const sameTime = (i: number) => ({ ...record(0, `{"n":${i},"pad":"${'p'.repeat(100)}"}`), origin: { file: '/logs/same.log', line: i + 1 } });
      const all = Array.from({ length: 3000 }, (_, i) => sameTime(i));
      for (let b = 0; b < 6; b++) assert.deepEqual(writer.importAll(all.slice(b * 500, (b + 1) * 500)), { added: 500, duplicates: 0 });
      for (let b = 0; b < 6; b++) assert.deepEqual(writer.importAll(all.slice(b * 500, (b + 1) * 500)), { added: 0, duplicates: 500 });
      assert.equal(seen.textsRead(), 0);
      // The statement comparing texts reaches the stored ones through (kind, time, digest), not the time alone.
      const compares = seen.statements.filter((sql) => sql.startsWith('SELECT') && /\btext\b/.test(sql));
      assert.equal(compares.length, 1);
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${compares[0]}`).all('vault-request', 0n, 0n, 'x') as { detail: string }[];
      assert.deepEqual(plan.map((p) => p.detail), ['SEARCH records USING INDEX records_imported_text (kind=? AND time_ns=? AND text_digest=?)']);
      assert.equal(db.prepare('SELECT COUNT(*) FROM records').pluck().get(), 3000);
    } finally {
      db.close();
    }
  });
});

test('a journal made before imported records kept a digest gets one for each when opened, and imports into it stay exact', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'journal.db');
    // More records than one transaction of the upgrade fills in; half share one time.
    const records = Array.from({ length: 12_000 }, (_, i) => record(i % 2 === 0 ? 0 : i, `{"n":${i}}`));
    const store = createJournalStore({ path });
    await store.importBatch(records);
    await store.append({ kind: 'server', timeNs: 1n, text: '{"live":true}', keys: {} });
    assert.equal(await store.caughtUp(30_000), true);
    await store.close();
    // The layout of such a journal: no digest column, no index on it.
    const old = new Database(path);
    old.exec('DROP INDEX records_imported_text; ALTER TABLE records DROP COLUMN text_digest; PRAGMA user_version = 0');
    old.close();

    const writer = openImportWriter(path);
    assert.deepEqual(await writer.importBatch(records), { added: 0, duplicates: 12_000 });
    const changed = { ...records[4], text: '{"n":4} ' };
    assert.deepEqual(await writer.importBatch([changed, records[4]]), { added: 1, duplicates: 1 });
    await writer.close();
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.pragma('user_version', { simple: true }), 1);
      const digests = db.prepare('SELECT origin_file IS NOT NULL AS imported, COUNT(*) AS n, COUNT(text_digest) AS digests FROM records GROUP BY 1 ORDER BY 1').all();
      assert.deepEqual(digests, [{ imported: 0, n: 1, digests: 0 }, { imported: 1, n: 12_001, digests: 12_001 }]);
    } finally {
      db.close();
    }
  });
});

test('a batch is committed once its records\' text passes IMPORT_BATCH_TEXT_BYTES in UTF-8, however few they are', async () => {
  await withDir(async (dir) => {
    const file = join(dir, 'audit.log');
    // 20 entries of 3,000 and some bytes each, but half as many characters: the bound counts bytes.
    const line = (j: number) => `${JSON.stringify({ time: '2026-12-01T10:00:00Z', type: 'request', request: { id: `r-${j}` }, pad: 'é'.repeat(1500) })}\n`;
    writeFileSync(file, Array.from({ length: 20 }, (_, j) => line(j)).join(''));
    const batches: number[][] = [];
    const store = {
      importBatch(records: readonly JournalAppend[]) {
        batches.push(records.map((r) => Buffer.byteLength(r.text)));
        return { added: records.length, duplicates: 0 };
      },
    };
    const summary = await importFiles({ format: 'vault-audit', paths: [file], store, onBad: () => undefined, batchTextBytes: 10_000 });
    assert.equal(summary.added, 20);
    assert.ok(batches.flat().every((bytes) => bytes > 3000 && bytes < 3300));
    // Four records pass 10,000 bytes; three do not.
    assert.deepEqual(batches.map((b) => b.length), [4, 4, 4, 4, 4]);
  });
  assert.equal(IMPORT_BATCH_TEXT_BYTES, 64 * 1024 * 1024);
});

test('a batch that cannot commit ends the import with its error, and nothing after it is committed', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'journal.db');
    const lines = Array.from({ length: 30 }, (_, j) => vaultAuditPair({ timeNs: BigInt(j + 1) * 1_000_000_000n, requestId: `c-${j}` }).join('')).join('');
    const file = join(dir, 'audit.log');
    writeFileSync(file, lines);
    // The journal refuses the 25th line, as a full disk would refuse a commit.
    const store = createJournalStore({ path });
    await store.close();
    const db = new Database(path);
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON records WHEN NEW.origin_line = 25 BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
    db.close();

    const writer = openImportWriter(path);
    await assert.rejects(
      importFiles({ format: 'vault-audit', paths: [file], store: writer, onBad: () => undefined, batchRecords: 10 }),
      /database or disk is full/,
    );
    // Every later batch answers the same error.
    await assert.rejects(writer.importBatch([record(999, '{}')]), /database or disk is full/);
    await writer.close();
    assert.deepEqual(rowsOf(path).map((r) => Number((r as { origin_line: bigint }).origin_line)), Array.from({ length: 20 }, (_, i) => i + 1));
  });
});

test('a journal that cannot be opened fails every batch with a clear error; close still returns', async () => {
  await withDir(async (dir) => {
    const notADatabase = join(dir, 'journal.db');
    writeFileSync(notADatabase, 'this is not a database, just text long enough to fill a header page '.repeat(100));
    const writer = openImportWriter(notADatabase);
    await assert.rejects(writer.importBatch([record(1, '{}')]), (err: Error & { code?: string }) => err.code === 'SQLITE_NOTADB' && /not a database/.test(err.message));
    await assert.rejects(writer.importBatch([record(2, '{}')]), /not a database/);
    await writer.close();
  });
});

test('committed batches are copied into the database while the import goes on, not by the writer, and the log is gone after it', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'journal.db');
    const writer = openImportWriter(path);
    let closed = false;
    try {
      const text = (i: number) => `{"n":${i},"pad":"${'p'.repeat(1000)}"}`;
      const batch = (from: number) => Array.from({ length: 2000 }, (_, i) => record(from + i, text(from + i), { requestId: `r-${from + i}` }));
      assert.deepEqual(await writer.importBatch(batch(0)), { added: 2000, duplicates: 0 });
      assert.deepEqual(await writer.importBatch(batch(2000)), { added: 2000, duplicates: 0 });
      // ~4 MB committed: far below the writer's own checkpoint bound, so only the checkpointer copies it.
      const copied = () => statSync(path).size > 4_000_000;
      for (let waited = 0; !copied() && waited < 10_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      assert.ok(copied(), `the database file holds ${statSync(path).size} bytes while the import is open`);
      assert.ok(existsSync(`${path}-wal`), 'the import is still open');
      await writer.close();
      closed = true;
    } finally {
      if (!closed) await writer.close();
    }
    assert.equal(existsSync(`${path}-wal`), false);
    const db = new Database(path, { readonly: true });
    try {
      assert.equal(db.prepare('SELECT COUNT(*) FROM records').pluck().get(), 4000);
    } finally {
      db.close();
    }
  });
});
