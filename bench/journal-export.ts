/**
 * `sealtrail journal export --journal <file>`: records per second written from a journal of
 * BENCH_RECORDS records (journal-fixture.ts, cached) to /dev/null, through the export's own code
 * (exportJournalFile, as the CLI runs it: pages of the journal's query, each line the record's view and
 * its text as kept). Also per CPU second of this process, steadier on a shared machine.
 *
 *   node --import tsx bench/journal-export.ts         # BENCH_RECORDS (default 1000000)
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { exportJournalFile } from '../src/journal/index.js';
import { journalFixture } from './journal-fixture.js';

export interface JournalExportBenchResult {
  records: number;
  megabytesOut: number;
  recordsPerSecond: number;
  recordsPerCpuSecond: number;
  buildSeconds: number;
  table: string;
}

export async function benchJournalExport(opts: { records: number; log?: (line: string) => void }): Promise<JournalExportBenchResult> {
  const fixture = journalFixture(opts.records, opts.log);
  const sink = openSync('/dev/null', 'w');
  try {
    let bytes = 0;
    const cpu0 = process.cpuUsage();
    const wall0 = performance.now();
    const count = await exportJournalFile(fixture.path, {}, (text) => {
      bytes += Buffer.byteLength(text);
      writeSync(sink, text);
    });
    const wall = (performance.now() - wall0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (count !== fixture.records) throw new Error(`exported ${count} of ${fixture.records} records`);
    const r = {
      records: count, megabytesOut: Math.round(bytes / 1e6), recordsPerSecond: Math.round(count / wall),
      recordsPerCpuSecond: Math.round(count / ((cpu.user + cpu.system) / 1e6)), buildSeconds: fixture.buildSeconds,
    };
    const table = ['| records | MB written | records/s | records per CPU second |', '|---:|---:|---:|---:|',
      `| ${r.records.toLocaleString('en-US')} | ${r.megabytesOut} | ${r.recordsPerSecond} | ${r.recordsPerCpuSecond} |`].join('\n');
    return { ...r, table };
  } finally {
    closeSync(sink);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchJournalExport({ records: Number(process.env.BENCH_RECORDS ?? 1_000_000), log: (l) => console.error(l) });
  if (r.buildSeconds > 0) console.log(`journal built in ${r.buildSeconds.toFixed(0)} s`);
  console.log(r.table);
}
