/**
 * `journal import` and `journal export` given a server configuration whose journal is on
 * PostgreSQL: the records go into (and come out of) the shared database, idempotently, and the
 * export is byte for byte the one of a SQLite journal holding the same records.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshDatabase } from '../journal/backends.js';
import { runIn } from './harness.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'journal');
const SUMMARY = /^imported (\d+) records \((\d+) duplicates, (\d+) bad\) from (\d+) files in \d+\.\d s\n$/;

test('postgresql: import -config writes the shared database (again: all duplicates); export -config gives the SQLite journal\'s bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cli-jpg-'));
  try {
    const url = await freshDatabase();
    const config = join(dir, 'server.hcl');
    writeFileSync(config, `journal {\n  storage = "postgresql"\n  connection_url = "${url}"\n}\n`);
    const log = join(FIXTURES, 'vault-audit.log');
    const first = await runIn(['journal', 'import', '--format', 'vault-audit', '-config', config, log]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(SUMMARY.exec(first.stdout)?.slice(1), ['6', '0', '0', '1']);
    const again = await runIn(['journal', 'import', '--format', 'vault-audit', '-config', config, log]);
    assert.deepEqual(SUMMARY.exec(again.stdout)?.slice(1), ['0', '6', '0', '1']);

    const db = join(dir, 'journal.db');
    assert.equal((await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, log])).code, 0);
    const fromFile = await runIn(['journal', 'export', '--journal', db]);
    const fromPostgres = await runIn(['journal', 'export', '-config', config]);
    assert.equal(fromPostgres.code, 0, fromPostgres.stderr);
    assert.equal(fromPostgres.stdout.split('\n').length, 7);
    assert.equal(fromPostgres.stdout, fromFile.stdout);
    assert.ok(!fromPostgres.stderr.includes(url));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('postgresql: a configuration without a URL anywhere is refused, naming what is missing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cli-jpg-'));
  try {
    const config = join(dir, 'server.hcl');
    writeFileSync(config, 'journal {\n  storage = "postgresql"\n}\n');
    const saved = process.env.SEALTRAIL_PG_CONNECTION_URL;
    delete process.env.SEALTRAIL_PG_CONNECTION_URL;
    try {
      const run = await runIn(['journal', 'export', '-config', config]);
      assert.notEqual(run.code, 0);
      assert.match(run.stderr, /needs journal\.connection_url, a storage "postgresql" block or SEALTRAIL_PG_CONNECTION_URL/);
    } finally {
      if (saved !== undefined) process.env.SEALTRAIL_PG_CONNECTION_URL = saved;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
