import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { runCli } from '../../src/cli/run.js';
import { MAX_REPORTED_BAD } from '../../src/cli/commands/journal.js';
import { createJournalStore } from '../../src/journal/index.js';
import { memoryIo, runIn } from './harness.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'journal');
const SUMMARY = /^imported (\d+) records \((\d+) duplicates, (\d+) bad\) from (\d+) files in \d+\.\d s\n$/;
/** What an import into a journal file that did not exist says first, on stderr. */
const created = (db: string) => `created new journal at ${db}\n`;

async function inTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cli-jimport-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function count(db: string): Promise<number> {
  const store = createJournalStore({ path: db });
  try {
    return await store.count();
  } finally {
    await store.close();
  }
}

test('vault-audit import: a summary line on stdout, exit 0; again: all duplicates', async () => {
  await inTmp(async (dir) => {
    const db = join(dir, 'journal.db');
    const log = join(FIXTURES, 'vault-audit.log');
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, log]);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(SUMMARY.exec(run.stdout)?.slice(1), ['6', '0', '0', '1']);
    assert.equal(run.stderr, created(db));
    const again = await runIn(['journal', 'import', '-format=vault-audit', '-journal', db, log]);
    assert.deepEqual(SUMMARY.exec(again.stdout)?.slice(1), ['0', '6', '0', '1']);
    assert.equal(again.stderr, '');
    assert.equal(await count(db), 6);
  });
});

test('bad lines: file:line: reason on stderr (never the line), exit 1; --skip-bad exits 0', async () => {
  await inTmp(async (dir) => {
    const db = join(dir, 'journal.db');
    copyFileSync(join(FIXTURES, 'vault-audit-bad.log'), join(dir, 'bad.log'));
    const rel = join(dir, 'bad.log');
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, rel]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, created(db) + [
      `${rel}:2: not JSON`, `${rel}:3: missing "time"`, `${rel}:4: "type" is missing or neither "request" nor "response"`,
      `${rel}:6: truncated: no newline at the end and not JSON`, '',
    ].join('\n'));
    assert.ok(!run.stderr.includes('s3cr3t'));
    assert.deepEqual(SUMMARY.exec(run.stdout)?.slice(1), ['2', '0', '4', '1']);
    const skipped = await runIn(['journal', 'import', '--format', 'vault-audit', '--skip-bad', '--journal', db, rel]);
    assert.equal(skipped.code, 0);
    assert.deepEqual(SUMMARY.exec(skipped.stdout)?.slice(1), ['0', '2', '4', '1']);
  });
});

test('a file that cannot be read to its end is named even after more than MAX_REPORTED_BAD bad lines', async () => {
  await inTmp(async (dir) => {
    const db = join(dir, 'journal.db');
    // Lines that are not JSON, gzipped (random, so the gzip is large) and cut short: zlib gives the
    // lines before the cut, each a bad line, then the file's own fault.
    const lines = Array.from({ length: 4000 }, () => randomBytes(32).toString('hex')).join('\n') + '\n';
    const gz = gzipSync(lines);
    const cut = join(dir, 'cut.log.gz');
    writeFileSync(cut, gz.subarray(0, gz.length - 100));
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, cut]);
    assert.equal(run.code, 1);
    const bad = Number(SUMMARY.exec(run.stdout)?.[3]);
    assert.ok(bad > MAX_REPORTED_BAD + 1, `${bad} bad`);
    assert.equal(run.stderr, created(db) + [
      ...Array.from({ length: MAX_REPORTED_BAD }, (_, i) => `${cut}:${i + 1}: not JSON`),
      `${cut}: gzip data truncated or corrupt`,
      `... and ${bad - 1 - MAX_REPORTED_BAD} more bad records not listed`, '',
    ].join('\n'));
  });
});

test('-config reads the journal path from the server config (its journal block, else beside its sqlite storage; HCL and JSON)', async () => {
  await inTmp(async (dir) => {
    const db = join(dir, 'from-config.db');
    const hcl = join(dir, 'server.hcl');
    writeFileSync(hcl, `storage "sqlite" {\n  path = "${dir}/data/sealtrail.db"\n}\njournal {\n  path = "${db}"\n}\n`);
    const run = await runIn(['journal', 'import', '--format', 'capsule-log', '-config', hcl, join(FIXTURES, 'capsule-access.jsonl')]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(await count(db), 4);
    const json = join(dir, 'server.json');
    writeFileSync(json, JSON.stringify({ journal: { path: db } }));
    const again = await runIn(['journal', 'import', '--format', 'capsule-log', '-config', json, join(FIXTURES, 'capsule-access.jsonl')]);
    assert.deepEqual(SUMMARY.exec(again.stdout)?.slice(1), ['0', '4', '0', '1']);
    const beside = join(dir, 'beside.hcl');
    writeFileSync(beside, `storage "sqlite" {\n  path = "${dir}/store/sealtrail.db"\n}\n`);
    const third = await runIn(['journal', 'import', '--format', 'capsule-log', '-config', beside, join(FIXTURES, 'capsule-access.jsonl')]);
    assert.equal(third.code, 0, third.stderr);
    assert.equal(await count(join(dir, 'store', 'journal.db')), 4);
  });
});

test('usage errors exit 1 with a message and import nothing', async () => {
  await inTmp(async (dir) => {
    const db = join(dir, 'journal.db');
    const log = join(FIXTURES, 'vault-audit.log');
    const noConfigBlock = join(dir, 'plain.hcl');
    writeFileSync(noConfigBlock, 'log_level = "info"\n');
    const cases: [string[], RegExp][] = [
      [['--format', 'syslog', '--journal', db, log], /--format must be one of: vault-audit, cloudtrail, capsule-log/],
      [['--format', 'vault-audit', log], /give the journal database with --journal <file> or a server config with -config <file>/],
      [['--format', 'vault-audit', '--journal', db, '-config', noConfigBlock, log], /either --journal or -config/],
      [['--format', 'vault-audit', '-config', noConfigBlock, log], /the configuration keeps no journal file/],
      [['--format', 'vault-audit', '--journal', db, join(dir, 'missing.log')], /missing\.log: no such file or directory\n$/],
      [['--format', 'vault-audit', '--journal', db, '-', log, '-'], /standard input \(-\) can be read once only/],
    ];
    for (const [args, message] of cases) {
      const run = await runIn(['journal', 'import', ...args]);
      assert.equal(run.code, 1, args.join(' '));
      assert.match(run.stderr, message);
      assert.equal(run.stdout, '');
    }
  });
});

test('a --journal file that is not a database is named in one line, exit 1', async () => {
  await inTmp(async (dir) => {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\n'.repeat(40));
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', passwd, join(FIXTURES, 'vault-audit.log')]);
    assert.deepEqual([run.code, run.stdout, run.stderr], [1, '', `sealtrail: ${passwd} is not a Sealtrail journal\n`]);
  });
});

test('--journal naming a directory is refused (a data directory: its journal.db is suggested), not read as 0 files', async () => {
  await inTmp(async (dir) => {
    copyFileSync(join(FIXTURES, 'vault-audit.log'), join(dir, 'audit.log'));
    const bare = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', dir, join(dir, 'audit.log')]);
    assert.deepEqual([bare.code, bare.stdout, bare.stderr], [1, '', `${dir} is a directory: give the journal's database file\n`]);
    assert.equal((await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', join(dir, 'journal.db'), join(FIXTURES, 'vault-audit.log')])).code, 0);
    const data = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', dir, join(dir, 'audit.log')]);
    assert.deepEqual([data.code, data.stdout, data.stderr], [1, '', `${dir} is a directory: give the journal's database file (${join(dir, 'journal.db')}?)\n`]);
  });
});

test('a mistyped --journal whose directory does not exist is refused and creates nothing; a new file in an existing directory is said', async () => {
  await inTmp(async (dir) => {
    const log = join(FIXTURES, 'vault-audit.log');
    const mistyped = join(dir, 'nonexistent', 'dir', 'j.db');
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', mistyped, log]);
    assert.deepEqual([run.code, run.stdout, run.stderr], [1, '', `${mistyped}: no directory ${join(dir, 'nonexistent', 'dir')}: a new journal is created only in an existing directory\n`]);
    assert.equal(existsSync(join(dir, 'nonexistent')), false);
    const fresh = join(dir, 'j.db');
    const ok = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', fresh, log]);
    assert.deepEqual([ok.code, ok.stderr], [0, `created new journal at ${fresh}\n`]);
  });
});

test('an existing --journal file must be a journal: another SQLite database is refused and left as it was', async () => {
  await inTmp(async (dir) => {
    const other = join(dir, 'sealtrail.db');
    const db = new Database(other);
    db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v BLOB)');
    db.close();
    const before = readFileSync(other);
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', other, join(FIXTURES, 'vault-audit.log')]);
    assert.deepEqual([run.code, run.stdout, run.stderr], [1, '', `sealtrail: ${other} is not a Sealtrail journal\n`]);
    assert.deepEqual(readFileSync(other), before);
    const exported = await runIn(['journal', 'export', '--journal', other]);
    assert.deepEqual([exported.code, exported.stderr], [1, `sealtrail: ${other} is not a Sealtrail journal\n`]);
    assert.deepEqual(readFileSync(other), before);
  });
});

test('inputs that hold no file to import are an error, not "imported 0 records from 0 files"', async () => {
  await inTmp(async (dir) => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', join(dir, 'j.db'), empty]);
    assert.deepEqual([run.code, run.stdout], [1, '']);
    assert.equal(run.stderr, `${created(join(dir, 'j.db'))}no file to import in ${empty}; the journal's own files are never read\n`);
    // A directory holding only the journal itself.
    const only = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', join(dir, 'j.db'), dir]);
    assert.deepEqual([only.code, only.stdout], [1, '']);
    assert.equal(only.stderr, `no file to import in ${dir}; the journal's own files are never read\n`);
    const trail = await runIn(['journal', 'import', '--format', 'cloudtrail', '--journal', join(dir, 'j.db'), empty]);
    assert.equal(trail.stderr, `no file to import in ${empty} (CloudTrail log files: *.json, *.json.gz); the journal's own files are never read\n`);
    // A symbolic link to the journal is the journal.
    const links = join(dir, 'links');
    mkdirSync(links);
    symlinkSync(join(dir, 'j.db'), join(links, 'link.db'));
    const linked = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', join(dir, 'j.db'), links]);
    assert.deepEqual([linked.code, linked.stderr], [1, `no file to import in ${links}; the journal's own files are never read\n`]);
  });
});

test('on a terminal, progress is redrawn on stderr and cleared before the summary', async () => {
  await inTmp(async (dir) => {
    const io = { ...memoryIo(), stderrIsTty: true };
    const db = join(dir, 'j.db');
    const code = await runCli(['journal', 'import', '--format', 'cloudtrail', '--journal', db, join(FIXTURES, 'cloudtrail-aws.json')], io);
    assert.equal(code, 0);
    const err = io.err.join('').slice(created(db).length);
    const clear = '\r\x1b[K';
    assert.ok(err.startsWith(clear) && err.endsWith(clear), JSON.stringify(err));
    assert.match(err.slice(clear.length), /^2 records, 0\.0 MB of 0\.0 MB, \d+ records\/s, ETA (\d+ s|\?)/);
    assert.deepEqual(SUMMARY.exec(io.out.join(''))?.slice(1), ['2', '0', '0', '1']);
  });
});

test('a file name with control characters (from a walked tree) is printed with them escaped', async () => {
  await inTmp(async (dir) => {
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    writeFileSync(join(tree, 'evil\x1b]0;pwned\x07.log'), 'not json\n');
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', join(dir, 'j.db'), tree]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `${created(join(dir, 'j.db'))}${tree}/evil\\x1b]0;pwned\\x07.log:1: not JSON\n`);
  });
});

test('a directory of a walked tree that cannot be listed (deeper than PATH_MAX) is reported and the rest of the tree imported', async () => {
  await inTmp(async (dir) => {
    const tree = join(dir, 'tree');
    mkdirSync(tree);
    copyFileSync(join(FIXTURES, 'vault-audit.log'), join(tree, 'audit.log'));
    // Made one level at a time (each mkdir's path is short); listed by its whole path, too long.
    const levels = Array.from({ length: 20 }, () => 'd'.repeat(250));
    const cwd = process.cwd();
    try {
      process.chdir(tree);
      for (const name of levels) {
        mkdirSync(name);
        process.chdir(name);
      }
    } finally {
      process.chdir(cwd);
    }
    const db = join(dir, 'j.db');
    // rmSync cannot remove what it cannot name either; rm(1) descends one level at a time.
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, tree])
      .finally(() => execFileSync('rm', ['-rf', join(tree, levels[0])]));
    assert.equal(run.code, 1, run.stderr);
    const [added, , bad, files] = SUMMARY.exec(run.stdout)!.slice(1).map(Number);
    assert.deepEqual([bad, files], [1, 1]);
    assert.ok(added > 0 && added === await count(db));
    const deepest = join(tree, ...levels.slice(0, levels.findIndex((_, i) => join(tree, ...levels.slice(0, i + 1)).length >= 4096) + 1));
    assert.equal(run.stderr, `${created(db)}${deepest}: cannot be read (ENAMETOOLONG)\n`);
  });
});

test('an import shares the database file with a journal that stays open (a running server)', async () => {
  await inTmp(async (dir) => {
    const db = join(dir, 'journal.db');
    // As the server opens it: appends spooled, indexed by its indexer thread.
    const server = createJournalStore({ path: db, spool: true, indexerNice: 0 });
    try {
      const live = { kind: 'server' as const, timeNs: 1n, text: '{"event":"start"}', keys: {} };
      await server.append(live);
      assert.equal(await server.caughtUp(10_000), true);
      const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, dir, join(FIXTURES, 'vault-audit.log')]);
      assert.equal(run.code, 0, run.stderr);
      await server.append({ ...live, text: '{"event":"after"}' });
      assert.equal(await server.caughtUp(10_000), true);
      assert.deepEqual((await server.readSince(-1, 100)).map((r) => [r.seq, r.origin?.line ?? 0]), [[0, 0], [1, 1], [2, 2], [3, 3], [4, 4], [5, 5], [6, 6], [7, 0]]);
    } finally {
      await server.close();
    }
  });
});

test('a directory holding the journal database is imported without reading the database files', async () => {
  await inTmp(async (dir) => {
    copyFileSync(join(FIXTURES, 'vault-audit.log'), join(dir, 'audit.log'));
    const db = join(dir, 'journal.db');
    const first = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, dir]);
    const again = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, dir]);
    assert.equal(first.stderr + again.stderr, created(db));
    assert.deepEqual(SUMMARY.exec(again.stdout)?.slice(1), ['0', '6', '0', '1']);
  });
});

test('- reads standard input as it arrives, gzipped or not; bad lines are named after it', async () => {
  await inTmp(async (dir) => {
    const db = join(dir, 'journal.db');
    const text = readFileSync(join(FIXTURES, 'vault-audit.log'));
    const gz = gzipSync(text);
    // A pipe may hand over the gzip magic one byte at a time.
    const piped = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, '-'], { stdinChunks: [gz.subarray(0, 1), gz.subarray(1, 2), gz.subarray(2)] });
    assert.equal(piped.code, 0, piped.stderr);
    assert.deepEqual(SUMMARY.exec(piped.stdout)?.slice(1), ['6', '0', '0', '1']);
    const plain = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, '-'], { stdinChunks: [text.subarray(0, 1), text.subarray(1)] });
    assert.deepEqual(SUMMARY.exec(plain.stdout)?.slice(1), ['0', '6', '0', '1']);
    const store = createJournalStore({ path: db });
    try {
      const records = await store.readSince(-1, 100);
      assert.deepEqual(records.map((r) => [r.origin?.file, r.origin?.line]), [1, 2, 3, 4, 5, 6].map((line) => ['(standard input)', line]));
    } finally {
      await store.close();
    }
    const bad = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, '-'], { stdin: 'not json\n' });
    assert.equal(bad.code, 1);
    assert.equal(bad.stderr, '(standard input):1: not JSON\n');
  });
});

test('on a terminal, an import from a pipe shows no total and no ETA', async () => {
  await inTmp(async (dir) => {
    const io = { ...memoryIo({ stdin: readFileSync(join(FIXTURES, 'vault-audit.log'), 'utf8') }), stderrIsTty: true };
    const db = join(dir, 'j.db');
    const code = await runCli(['journal', 'import', '--format', 'vault-audit', '--journal', db, '-'], io);
    assert.equal(code, 0);
    const clear = '\r\x1b[K';
    const err = io.err.join('').slice(created(db).length);
    assert.ok(err.startsWith(clear) && err.endsWith(clear), JSON.stringify(err));
    assert.match(err.slice(clear.length, -clear.length), /^6 records, 0\.0 MB, \d+ records\/s$/);
  });
});

test('a named pipe (FIFO) is read like a file', async () => {
  await inTmp(async (dir) => {
    const fifo = join(dir, 'audit.pipe');
    execFileSync('mkfifo', [fifo]);
    // The writer's open waits for the import to open the other end.
    const writing = writeFile(fifo, gzipSync(readFileSync(join(FIXTURES, 'vault-audit.log'))));
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', join(dir, 'j.db'), fifo]);
    await writing;
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(SUMMARY.exec(run.stdout)?.slice(1), ['6', '0', '0', '1']);
  });
});

test('--prefix takes the file device\'s prefix off every line: the same records as the plain log; a line without it is bad', async () => {
  await inTmp(async (dir) => {
    const db = join(dir, 'journal.db');
    const plain = readFileSync(join(FIXTURES, 'vault-audit.log'), 'utf8');
    const prefixed = join(dir, 'prefixed.log');
    writeFileSync(prefixed, plain.split('\n').map((line) => (line === '' ? line : `vault-audit: ${line}`)).join('\n') + '{"not":"prefixed"}\n');
    const run = await runIn(['journal', 'import', '--format', 'vault-audit', '--prefix', 'vault-audit: ', '--journal', db, prefixed]);
    assert.equal(run.code, 1);
    assert.equal(run.stderr, `${created(db)}${prefixed}:7: does not start with the prefix\n`);
    assert.deepEqual(SUMMARY.exec(run.stdout)?.slice(1), ['6', '0', '1', '1']);
    // What is kept is the entry as Vault formatted it: the unprefixed log holds the same records.
    const again = await runIn(['journal', 'import', '--format', 'vault-audit', '--journal', db, join(FIXTURES, 'vault-audit.log')]);
    assert.deepEqual(SUMMARY.exec(again.stdout)?.slice(1), ['0', '6', '0', '1']);
    const store = createJournalStore({ path: db });
    try {
      assert.deepEqual((await store.readSince(-1, 100)).map((r) => r.text), plain.split('\n').filter((line) => line !== ''));
    } finally {
      await store.close();
    }
    const misuse = await runIn(['journal', 'import', '--format', 'capsule-log', '--prefix', 'x', '--journal', db, prefixed]);
    assert.equal(misuse.code, 1);
    assert.match(misuse.stderr, /--prefix is for --format vault-audit/);
  });
});
