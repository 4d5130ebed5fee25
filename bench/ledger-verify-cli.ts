/**
 * `sealtrail ledger verify --dir` over a 1,000,000-record log, as a user runs it: the built CLI in
 * its own process, reading a log the server's way of writing it (LogAppender's bundles and tiles
 * on disk, a signed checkpoint), against plain SHA-256 of the same entry bytes in this process —
 * both in wall time, both over files already in the page cache. Records are ~1 KiB journal-like
 * texts of varied length. Plain SHA-256 is node:crypto's one-shot `hash`, its fastest form.
 *
 *   node --import tsx bench/ledger-verify-cli.ts        # BENCH_LEDGER_RECORDS (default 1000000)
 */
import { spawn } from 'node:child_process';
import { hash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CHECKPOINT_PATH, ledgerEntry, LogAppender, signCheckpoint } from '../src/ledger/index.js';
import { logKey } from '../test/cli/ledger-fixture.js';

export interface LedgerVerifyCliResult {
  records: number;
  megabytes: number;
  verifySeconds: number;
  plainSeconds: number;
  /** Verify speed / plain SHA-256 speed (≥ 0.5 is the target). */
  ratio: number;
}

/** A journal-like record of about 1 KiB (lengths vary so bundles are not uniform). */
function recordText(i: number): string {
  return JSON.stringify({ time: `2026-12-05T08:00:${String(i % 60).padStart(2, '0')}.${String(i).padStart(9, '0')}Z`, type: 'response', seq: i, request: { id: `req-${i}`, path: `secret/data/app-${i % 97}`, operation: 'read' }, pad: 'x'.repeat(700 + (i % 300)) });
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  const started = performance.now();
  const child = spawn(process.execPath, ['bin/sealtrail', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr, seconds: (performance.now() - started) / 1000 })));
}

export async function benchLedgerVerifyCli(records = 1_000_000): Promise<LedgerVerifyCliResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-ledger-'));
  try {
    const key = logKey('bench.example/ledger');
    const appender = LogAppender.empty();
    const entries: Buffer[] = [];
    let bytes = 0;
    for (let at = 0; at < records; at += 2000) {
      const chunk = Array.from({ length: Math.min(2000, records - at) }, (_, k) => Buffer.from(ledgerEntry(at + k, Buffer.from(recordText(at + k), 'utf8'))));
      for (const file of appender.append(chunk).files) {
        mkdirSync(dirname(join(dir, file.path)), { recursive: true });
        writeFileSync(join(dir, file.path), file.data);
      }
      for (const e of chunk) bytes += e.length;
      entries.push(...chunk);
    }
    writeFileSync(join(dir, CHECKPOINT_PATH), signCheckpoint({ origin: key.signer.name, size: appender.size, root: appender.root(), extensions: [] }, key.signer));

    // The best of three each, alternating: the files are in the page cache after the first read.
    let verifySeconds = Infinity;
    let plainSeconds = Infinity;
    for (let round = 0; round < 3; round++) {
      const run = await runCli(['ledger', 'verify', '--dir', dir, '--key', key.vkey]);
      if (run.code !== 0) throw new Error(`ledger verify failed (${run.code}): ${run.stdout}${run.stderr}`);
      verifySeconds = Math.min(verifySeconds, run.seconds);
      const started = performance.now();
      for (const e of entries) hash('sha256', e, 'buffer');
      plainSeconds = Math.min(plainSeconds, (performance.now() - started) / 1000);
    }
    return { records, megabytes: bytes / 1e6, verifySeconds, plainSeconds, ratio: plainSeconds / verifySeconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchLedgerVerifyCli(Number(process.env.BENCH_LEDGER_RECORDS ?? 1_000_000));
  console.log(`${r.records.toLocaleString('en-US')} records, ${r.megabytes.toFixed(0)} MB of entries`);
  console.log(`sealtrail ledger verify --dir: ${r.verifySeconds.toFixed(2)} s (the whole process)`);
  console.log(`plain SHA-256 of each entry:   ${r.plainSeconds.toFixed(2)} s`);
  console.log(`verify speed / plain SHA-256:  ${r.ratio.toFixed(2)}`);
}
