import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { importFiles, type BadRecord } from '../../src/journal/index.js';
import { vaultAuditPair } from '../helpers/vault-audit-lines.js';
import { FIXTURES, withImportWorld } from './import-helpers.js';
import { BACKENDS } from './backends.js';

const fixture = (name: string) => readFileSync(join(FIXTURES, name));
const linesOf = (bytes: Buffer) => bytes.toString('utf8').split('\n').filter((l) => l !== '');

for (const backend of BACKENDS) {
  test(`${backend.name}: each line becomes a record of its type, its text the line byte for byte, its time exact to the ns`, async () => {
    await withImportWorld(backend, async (w) => {
      const file = join(w.dir, 'audit.log');
      copyFileSync(join(FIXTURES, 'vault-audit.log'), file);
      const summary = await w.run('vault-audit', [file]);
      assert.deepEqual({ ...summary, reports: summary.reports.length }, { files: 1, records: 6, bad: 0, added: 6, duplicates: 0, reports: 0 });
      const records = (await w.all());
      assert.deepEqual(records.map((r) => r.text), linesOf(fixture('vault-audit.log')));
      assert.deepEqual(records.map((r) => r.kind), ['vault-request', 'vault-response', 'vault-request', 'vault-response', 'vault-request', 'vault-response']);
      assert.deepEqual(records.map((r) => r.timeNs), [
        1_796_439_845_123_456_789n, 1_796_439_845_124_691_356n, 1_796_439_846_000_000_001n, 1_796_439_846_001_234_568n,
        1_796_439_847_500_000_000n, 1_796_439_847_500_200_000n,
      ]);
      assert.deepEqual(records.map((r) => r.origin), [1, 2, 3, 4, 5, 6].map((line) => ({ file, line })));
      assert.equal(records[3].keys.outcome, 'failure');
      assert.equal(records[5].keys.correlationId, '0123456789abcdef0123456789abcdef');
      assert.equal(records[0].keys.requestId, '6d2c1d6e-8f1b-4e55-9a0c-1d1f3c4b5a69');
    });
  });

  test(`${backend.name}: rotated and gzipped files (recognised by their bytes, whatever the name) import alike; re-import adds nothing`, async () => {
    await withImportWorld(backend, async (w) => {
      const text = (i: number) => Array.from({ length: 50 }, (_, j) => vaultAuditPair({ timeNs: BigInt(i * 1000 + j) * 1_000_000_007n, requestId: `r-${i}-${j}` }).join('')).join('');
      const logs = join(w.dir, 'logs');
      mkdirSync(logs);
      writeFileSync(join(logs, 'audit.log'), text(1));
      writeFileSync(join(logs, 'audit.log.1'), text(2));
      writeFileSync(join(logs, 'audit-2026-12-04T00-00-00.log.gz'), gzipSync(text(3)));
      writeFileSync(join(logs, 'audit.log.2'), gzipSync(text(4))); // gzip without the .gz name
      const first = await w.run('vault-audit', [logs], { batchRecords: 37 });
      assert.deepEqual({ files: first.files, records: first.records, added: first.added, duplicates: first.duplicates, bad: first.bad }, { files: 4, records: 400, added: 400, duplicates: 0, bad: 0 });
      const again = await w.run('vault-audit', [logs, join(logs, 'audit.log')]);
      assert.deepEqual({ files: again.files, added: again.added, duplicates: again.duplicates }, { files: 5, added: 0, duplicates: 500 });
      assert.equal((await w.store.count()), 400);
      const gz = (await w.all()).filter((r) => r.origin!.file.endsWith('.gz'));
      assert.equal(gz.length, 100);
      assert.deepEqual(gz.map((r) => r.text), linesOf(Buffer.from(text(3))));
    });
  });

  test(`${backend.name}: bad lines are reported as file:line with a reason that never echoes the line, and the import goes on`, async () => {
    await withImportWorld(backend, async (w) => {
      const file = join(w.dir, 'bad.log');
      copyFileSync(join(FIXTURES, 'vault-audit-bad.log'), file);
      const summary = await w.run('vault-audit', [file]);
      assert.deepEqual(summary.reports, [
        { file, line: 2, reason: 'not JSON' },
        { file, line: 3, reason: 'missing "time"' },
        { file, line: 4, reason: '"type" is missing or neither "request" nor "response"' },
        { file, line: 6, reason: 'truncated: no newline at the end and not JSON' },
      ]);
      assert.equal(summary.bad, 4);
      assert.equal(summary.added, 2);
      assert.ok(!JSON.stringify(summary.reports).includes('s3cr3t'));
      // The CRLF line: kept without its \r.
      const crlf = (await w.all())[1];
      assert.equal(crlf.origin!.line, 5);
      assert.equal(crlf.text, fixture('vault-audit-bad.log').toString().split('\n')[4].replace(/\r$/, ''));
      assert.ok(!crlf.text.endsWith('\r'));
    });
  });

  test(`${backend.name}: a complete last line without a newline is imported; a bad time is refused`, async () => {
    await withImportWorld(backend, async (w) => {
      const file = join(w.dir, 'a.log');
      const [req] = vaultAuditPair({ timeNs: 1_796_439_845_000_000_000n, requestId: 'r-last' });
      writeFileSync(file, `${req.replace('"time":"2026-12-05T03:04:05Z"', '"time":"2026-02-30T03:04:05Z"')}${req.trimEnd()}`);
      const summary = await w.run('vault-audit', [file]);
      assert.deepEqual(summary.reports, [{ file, line: 1, reason: '"time" is not an RFC 3339 time' }]);
      assert.equal((await w.all())[0].text, req.trimEnd());
    });
  });

  test(`${backend.name}: a truncated gzip is one bad file, named; the lines before the cut are kept`, async () => {
    await withImportWorld(backend, async (w) => {
      const text = Array.from({ length: 400 }, (_, j) => vaultAuditPair({ timeNs: BigInt(j) * 1_000_000_000n, requestId: `t-${j}` }).join('')).join('');
      const gz = gzipSync(text);
      const file = join(w.dir, 'audit.log.3.gz');
      writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.8)));
      const summary = await w.run('vault-audit', [file]);
      assert.deepEqual(summary.reports.at(-1), { file, reason: 'gzip data truncated or corrupt' });
      assert.equal(summary.files, 1);
      assert.ok(summary.added > 0 && summary.added < 800, `${summary.added}`);
    });
  });

  test(`${backend.name}: zero padding after a gzip is ignored; a member after it is reported, not silently dropped`, async () => {
    await withImportWorld(backend, async (w) => {
      const lines = (from: number, n: number): string =>
        Array.from({ length: n }, (_, j) => vaultAuditPair({ timeNs: BigInt(from + j) * 1_000_000_000n, requestId: `z-${from + j}` }).join('')).join('');
      const first = gzipSync(lines(0, 300));
      const padded = join(w.dir, 'padded.log.gz');
      writeFileSync(padded, Buffer.concat([first, Buffer.alloc(4096)]));
      const ok = await w.run('vault-audit', [padded]);
      assert.deepEqual(ok.reports, []);
      assert.equal(ok.added, 600);

      const hidden = join(w.dir, 'hidden.log.gz');
      writeFileSync(hidden, Buffer.concat([first, Buffer.alloc(100_000), gzipSync(lines(300, 5))]));
      const summary = await w.run('vault-audit', [hidden]);
      assert.deepEqual(summary.reports, [{ file: hidden, reason: `data after the end of the gzip stream, at byte ${first.length + 100_000}, was not read` }]);
      assert.equal(summary.records, 600, 'the first member is read');
      assert.equal(summary.added, 0, 'and was imported from padded.log.gz already');
    });
  });

  test(`${backend.name}: data right after a complete gzip member is reported after every record of the member is imported`, async () => {
    await withImportWorld(backend, async (w) => {
      const text = Array.from({ length: 2000 }, (_, j) => vaultAuditPair({ timeNs: BigInt(j) * 1_000_000_000n, requestId: `g-${j}` }).join('')).join('');
      const member = gzipSync(text);
      const file = join(w.dir, 'appended.log.gz');
      writeFileSync(file, Buffer.concat([member, Buffer.from('garbage')]));
      const summary = await w.run('vault-audit', [file]);
      assert.deepEqual(summary.reports, [{ file, reason: `data after the end of the gzip stream, at byte ${member.length}, was not read` }]);
      assert.equal(summary.added, 4000);
      assert.deepEqual((await w.all()).map((r) => r.text), linesOf(Buffer.from(text)));
    });
  });

  test(`${backend.name}: a line nesting deeper than the limit is a bad line, however short; the next line imports`, async () => {
    await withImportWorld(backend, async (w) => {
      const file = join(w.dir, 'deep.log');
      const [req, res] = vaultAuditPair({ timeNs: 1n, requestId: 'deep' });
      // A 64 KiB line, 32,000 levels deep: JSON.parse reads it, and the journal's JSON output could not.
      const deep = `${req.trimEnd().slice(0, -1)},"x":${'['.repeat(32_000)}${']'.repeat(32_000)}}\n`;
      writeFileSync(file, deep + res);
      const summary = await w.run('vault-audit', [file]);
      assert.deepEqual(summary.reports, [{ file, line: 1, reason: 'nested deeper than 1000 levels' }]);
      assert.deepEqual((await w.all()).map((r) => r.origin!.line), [2]);
    });
  });

  test(`${backend.name}: a file of a walked directory replaced by a symbolic link before it is read is reported, not followed`, async () => {
    await withImportWorld(backend, async (w) => {
      const logs = join(w.dir, 'race');
      mkdirSync(logs);
      const line = (id: string) => vaultAuditPair({ timeNs: 1_000_000_000n, requestId: id })[0];
      writeFileSync(join(logs, 'a.log'), line('a'));
      writeFileSync(join(logs, 'b.log'), line('b'));
      const outside = join(w.dir, 'outside.log');
      writeFileSync(outside, line('outside'));
      let swapped = false;
      const reports: BadRecord[] = [];
      const summary = await importFiles({
        format: 'vault-audit', paths: [logs], store: w.store, onBad: (b) => void reports.push(b),
        // Reading a.log, after the walk listed b.log as a file.
        onProgress: () => {
          if (swapped) return;
          swapped = true;
          rmSync(join(logs, 'b.log'));
          symlinkSync(outside, join(logs, 'b.log'));
        },
      });
      assert.ok(swapped);
      assert.deepEqual(reports, [{ file: join(logs, 'b.log'), reason: 'a symbolic link, not followed' }]);
      assert.deepEqual({ files: summary.files, added: summary.added }, { files: 2, added: 1 });
      assert.deepEqual((await w.all()).map((r) => r.keys.requestId), ['a']);
    });
  });

  test(`${backend.name}: a line over the limit is a bad line; the next line imports`, async () => {
    await withImportWorld(backend, async (w) => {
      const file = join(w.dir, 'long.log');
      const [req, res] = vaultAuditPair({ timeNs: 1n, requestId: 'x' });
      writeFileSync(file, req + res);
      const summary = await w.run('vault-audit', [file], { maxLineBytes: res.length - 2 });
      assert.deepEqual(summary.reports, [{ file, line: 2, reason: `longer than ${res.length - 2} bytes` }]);
      assert.equal(summary.added, 1);
    });
  });

  test(`${backend.name}: a gzip corrupt in the middle is a bad file; a journal that cannot commit ends the import`, async () => {
    await withImportWorld(backend, async (w) => {
      const text = Array.from({ length: 400 }, (_, j) => vaultAuditPair({ timeNs: BigInt(j) * 1_000_000_000n, requestId: `c-${j}` }).join('')).join('');
      const gz = Buffer.from(gzipSync(text));
      gz.fill(0x55, Math.floor(gz.length / 2), Math.floor(gz.length / 2) + 64);
      const file = join(w.dir, 'corrupt.gz');
      writeFileSync(file, gz);
      const summary = await w.run('vault-audit', [file]);
      assert.deepEqual(summary.reports.at(-1), { file, reason: 'gzip data truncated or corrupt' });

      const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      const plain = join(w.dir, 'plain.log');
      writeFileSync(plain, text);
      await assert.rejects(
        importFiles({ format: 'vault-audit', paths: [plain], store: { importBatch: () => { throw full; } }, onBad: () => undefined, batchRecords: 10 }),
        (err) => err === full,
      );
    });
  });
}
