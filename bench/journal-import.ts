/**
 * Importing a Vault audit log into the journal: lines per second for the whole import (read,
 * split, parse, extract keys, insert in batches), next to the same lines merely JSON.parse'd
 * (already in memory), the floor of any reader. Figures also per CPU second of this process,
 * steadier than wall time on a shared machine.
 *
 *   node --import tsx bench/journal-import.ts            # BENCH_LINES (default 200000)
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importFiles, openImportWriter } from '../src/journal/index.js';
import { vaultAuditPair } from '../test/helpers/vault-audit-lines.js';

export interface JournalImportBenchResult {
  lines: number;
  bytes: number;
  importLinesPerSecond: number;
  parseLinesPerSecond: number;
  ratio: number;
  /** The same per second of this process's CPU time: steadier on a shared machine. */
  importLinesPerCpuSecond: number;
  parseLinesPerCpuSecond: number;
  /** Lines per CPU second of the import without the store (read, split, parse, extract keys). */
  readLinesPerCpuSecond: number;
}

/** Wall and CPU seconds of `fn`. */
async function timed(fn: () => unknown): Promise<{ wall: number; cpu: number }> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  return { wall: (performance.now() - wall0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
}

function writeAuditLog(path: string, lines: number): void {
  const t0 = 1_796_000_000_000_000_000n;
  let text = '';
  for (let i = 0; i < lines / 2; i++) {
    const [req, res] = vaultAuditPair({
      timeNs: t0 + BigInt(i) * 7_654_321n,
      requestId: `0b3c${String(i).padStart(4, '0')}-5c3e-4f1a-9d2b-${String(i).padStart(12, '0')}`,
      entityId: `e-${i % 50}`,
      remoteAddress: `10.0.${i % 256}.${(i >> 8) % 256}`,
      error: i % 20 === 0 ? 'permission denied' : undefined,
    });
    text += req + res;
    if (text.length > 4_000_000) {
      appendFileSync(path, text);
      text = '';
    }
  }
  appendFileSync(path, text);
}

export async function benchJournalImport(lines = 200_000): Promise<JournalImportBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-jimport-'));
  try {
    const log = join(dir, 'audit.log');
    writeAuditLog(log, lines);
    const bytes = statSync(log).size;

    // The baseline times JSON.parse alone: the lines are read and split beforehand.
    const textLines = readFileSync(log, 'utf8').split('\n').filter((l) => l !== '');
    let parsed = 0;
    const parse = await timed(() => {
      for (const line of textLines) {
        JSON.parse(line);
        parsed++;
      }
    });
    textLines.length = 0;

    const discard = { importBatch: (records: readonly unknown[]) => ({ added: records.length, duplicates: 0 }) };
    const read = await timed(() => importFiles({ format: 'vault-audit', paths: [log], store: discard, onBad: () => undefined }));

    const store = openImportWriter(join(dir, 'journal.db'));
    let added = 0;
    const full = await timed(async () => {
      added = (await importFiles({ format: 'vault-audit', paths: [log], store, onBad: () => undefined })).added;
    });
    await store.close();
    if (added !== lines || parsed !== lines) throw new Error(`imported ${added} of ${lines} lines`);

    const rate = (seconds: number) => Math.round(lines / seconds);
    return {
      lines, bytes,
      importLinesPerSecond: rate(full.wall), parseLinesPerSecond: rate(parse.wall), ratio: Number((parse.wall / full.wall).toFixed(3)),
      importLinesPerCpuSecond: rate(full.cpu), parseLinesPerCpuSecond: rate(parse.cpu), readLinesPerCpuSecond: rate(read.cpu),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchJournalImport(Number(process.env.BENCH_LINES ?? 200_000));
  console.log(`${r.lines} Vault audit lines (${(r.bytes / 1e6).toFixed(1)} MB)`);
  console.log(`import:              ${r.importLinesPerSecond} lines/s (${r.importLinesPerCpuSecond} per CPU second)`);
  console.log(`JSON.parse only:     ${r.parseLinesPerSecond} lines/s (${r.parseLinesPerCpuSecond} per CPU second)`);
  console.log(`import / JSON.parse: ${r.ratio}`);
  console.log(`import without the store: ${r.readLinesPerCpuSecond} lines per CPU second`);
}
