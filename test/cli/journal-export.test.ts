import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run.js';
import { exportLine } from '../../src/cli/commands/journal-query.js';
import { createJournalStore, recordView } from '../../src/journal/index.js';
import { memoryIo, runIn } from './harness.js';
import { logKey } from './ledger-fixture.js';

const T0 = 1_780_000_000_000_000_000n;

async function withJournal(fn: (path: string, lines: (entity?: string) => Promise<string>) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cli-jexport-'));
  const path = join(dir, 'journal.db');
  const store = createJournalStore({ path });
  try {
    for (let i = 0; i < 12; i++) {
      // One kept as a pretty-printed file had it (an imported CloudTrail record): its line still one line.
      const text = i === 5 ? `{\n  "i": ${i}\r\n}` : `{"i":${i}}`;
      await store.append({ kind: 'vault-request', timeNs: T0 + BigInt(12 - i) * 1000n, text, keys: { entityId: `e-${i % 3}`, accessor: `hmac-sha256:${i % 2}` } });
    }
    const lines = async (entity?: string) => (await store.query({ order: 'asc', limit: 100, keys: entity ? { entityId: entity } : undefined })).map((r) => exportLine(recordView(r))).join('');
    await fn(path, lines);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('export --journal reads the file directly: every record, oldest first, filters applied, no server needed', async () => {
  await withJournal(async (path, lines) => {
    const all = await runIn(['journal', 'export', '--journal', path]);
    assert.equal(all.code, 0, all.stderr);
    assert.equal(all.stdout, await lines());
    assert.equal(all.stdout.split('\n').length, 13);
    assert.deepEqual(all.stdout.trim().split('\n').map((l) => JSON.parse(l).record.i).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const one = await runIn(['journal', 'export', '--journal', path, '--entity-id', 'e-1']);
    assert.equal(one.stdout, await lines('e-1'));
    // Bytes straight to a stream that can take them: the same lines.
    const io = memoryIo();
    const chunks: Buffer[] = [];
    assert.equal(await runCli(['journal', 'export', '--journal', path], { ...io, stdoutBytes: (c) => void chunks.push(Buffer.from(c)) }), 0);
    assert.equal(Buffer.concat(chunks).toString('utf8'), await lines());
  });
});

test('export --journal: a missing file, a raw accessor, a bad filter and both sources are usage errors', async () => {
  await withJournal(async (path) => {
    const missing = await runIn(['journal', 'export', '--journal', join(path, '..', 'none.db')]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no journal database at/);
    const raw = await runIn(['journal', 'export', '--journal', path, '--accessor', 'abc123']);
    assert.equal(raw.code, 1);
    assert.match(raw.stderr, /as the journal shows it \(hmac-sha256:/);
    assert.ok(!raw.stderr.includes('abc123'));
    const hashed = await runIn(['journal', 'export', '--journal', path, '--accessor', 'hmac-sha256:1']);
    assert.equal(hashed.stdout.split('\n').length, 7);
    const bad = await runIn(['journal', 'export', '--journal', path, '--since', 'yesterday']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /"since" must be an RFC 3339 time/);
    const both = await runIn(['journal', 'export', '--journal', path, '--config', path]);
    assert.equal(both.code, 1);
    assert.match(both.stderr, /either --journal or -config/);
  });
});

test('export --journal of a file that is not a database is named in one line, exit 1', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cli-jexport-notdb-'));
  try {
    const passwd = join(dir, 'passwd');
    writeFileSync(passwd, 'root:x:0:0:root:/root:/bin/bash\n'.repeat(40));
    const run = await runIn(['journal', 'export', '--journal', passwd]);
    assert.deepEqual([run.code, run.stdout, run.stderr], [1, '', `sealtrail: ${passwd} is not a Sealtrail journal\n`]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export --journal and ledger verify --journal refuse a directory or a FIFO in one line, without opening it', { timeout: 60_000 }, async () => {
  await withJournal(async (path) => {
    const dir = join(path, '..');
    const fifo = join(dir, 'journal.fifo');
    execFileSync('mkfifo', [fifo]);
    const log = join(dir, 'log');
    mkdirSync(log);
    const key = logKey().vkey;
    const cases: Array<[string, string]> = [
      [dir, `${dir} is a directory: give the journal's database file (${path}?)\n`],
      [fifo, `${fifo} is not a regular file: give the journal's database file\n`],
    ];
    for (const [given, line] of cases) {
      const exported = await runIn(['journal', 'export', '--journal', given]);
      assert.deepEqual([exported.code, exported.stdout, exported.stderr], [1, '', line], given);
      const verified = await runIn(['ledger', 'verify', '--dir', log, '--key', key, '--journal', given]);
      assert.deepEqual([verified.code, verified.stdout, verified.stderr], [1, '', line], given);
    }
  });
});

test('export to a full device (> /dev/full) ends with one line naming standard output, status 1, no stack', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cli-jexport-full-'));
  const path = join(dir, 'journal.db');
  const store = createJournalStore({ path });
  const full = openSync('/dev/full', 'w');
  try {
    for (let i = 0; i < 10; i++) await store.append({ kind: 'server', timeNs: T0 + BigInt(i), text: '{"event":"x"}', keys: {} });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts'), 'journal', 'export', '--journal', path], { stdio: ['ignore', full, 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.deepEqual([code, stderr], [1, 'sealtrail: standard output: no space left on device\n']);
  } finally {
    closeSync(full);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export into a pipe whose reader went away (`| head`) ends silently with status 141, as SIGPIPE ends vault', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cli-jexport-pipe-'));
  const path = join(dir, 'journal.db');
  const store = createJournalStore({ path });
  try {
    // ~2 MB of lines: far more than a pipe's buffer holds.
    const text = JSON.stringify({ pad: 'x'.repeat(1000) });
    for (let i = 0; i < 2000; i++) await store.append({ kind: 'server', timeNs: T0 + BigInt(i), text, keys: {} });
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, '..', '..', 'src', 'cli', 'main.ts'), 'journal', 'export', '--journal', path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const [first] = (await once(child.stdout, 'data')) as [Buffer];
    assert.match(first.toString(), /^\{"seq":0,/);
    child.stdout.destroy();
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 141);
    assert.equal(stderr, '');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('export --journal to a terminal shows what JSON leaves raw (C1, bidi, separators) escaped, as the export over the API does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-cli-jexport-tty-'));
  const path = join(dir, 'journal.db');
  const store = createJournalStore({ path });
  try {
    // A request's own key names reach the record as they were sent: JSON leaves these raw.
    const text = JSON.stringify({ request: { data: { 'k\u202eexe.txt\u009b2J\u0085\u2028': 'hmac-sha256:1' } } });
    await store.append({ kind: 'vault-request', timeNs: T0, text, keys: {} });
    const tty = await runIn(['journal', 'export', '--journal', path], { stdoutIsTty: true });
    assert.equal(tty.code, 0, tty.stderr);
    // eslint-disable-next-line no-control-regex -- control characters are what it looks for
    assert.doesNotMatch(tty.stdout, /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e]/);
    assert.deepEqual(JSON.parse(tty.stdout).record, JSON.parse(text));
    const piped = await runIn(['journal', 'export', '--journal', path]);
    assert.match(piped.stdout, /k\u202eexe\.txt\u009b2J\u0085\u2028/, 'a pipe gets the bytes as kept');
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
