/**
 * Durable mode (`fsync=true`) of the file audit device: group commit — every line queued while an
 * fdatasync is in flight shares the next one — against one fdatasync per entry, for the same
 * concurrent writers and the same lines, in the same run.
 *
 *   node --import tsx bench/audit-durable.ts [lines] [writers]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createFileSink } from '../src/audit/devices/file/index.js';
import { systemClock } from '../src/lib/clock.js';

const line = (i: number) => `{"time":"2026-11-22T00:00:00Z","type":"request","request":{"id":"${i.toString().padStart(36, '0')}","path":"secret/data/app"}}\n`;
const quiet = { warn: () => {}, info: () => {}, error: () => {} };

export interface DurableBenchResult { groupCommitPerSec: number; fsyncPerEntryPerSec: number; fsyncsGroup: number; ratio: number; table: string }

export async function benchDurable(opts: { lines: number; writers: number }): Promise<DurableBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-durable-'));
  try {
    // Group commit through the real sink.
    const sink = await createFileSink({ path: 'file/', options: { file_path: join(dir, 'group.log'), fsync: 'true' }, clock: systemClock, log: quiet });
    let next = 0;
    let t = performance.now();
    await Promise.all(Array.from({ length: opts.writers }, async () => {
      for (let i = next++; i < opts.lines; i = next++) await sink.write(line(i));
    }));
    const groupMs = performance.now() - t;
    const fsyncsGroup = sink.stats.fsyncs;
    await sink.close();

    // Baseline: each entry written and fdatasync'ed on its own (writers serialised on the file).
    const fh = await open(join(dir, 'each.log'), 'a', 0o600);
    let chain = Promise.resolve();
    next = 0;
    t = performance.now();
    await Promise.all(Array.from({ length: opts.writers }, async () => {
      for (let i = next++; i < opts.lines; i = next++) {
        const mine = chain.then(async () => { await fh.write(line(i)); await fh.datasync(); });
        chain = mine;
        await mine;
      }
    }));
    const eachMs = performance.now() - t;
    await fh.close();

    const groupCommitPerSec = opts.lines / (groupMs / 1000);
    const fsyncPerEntryPerSec = opts.lines / (eachMs / 1000);
    const ratio = groupCommitPerSec / fsyncPerEntryPerSec;
    const table = [
      `| durable file device, ${opts.writers} concurrent writers, ${opts.lines} entries | entries/s | fdatasync calls |`,
      '|---|---:|---:|',
      `| one fdatasync per entry (baseline) | ${fsyncPerEntryPerSec.toFixed(0)} | ${opts.lines} |`,
      `| group commit (fsync=true) | ${groupCommitPerSec.toFixed(0)} | ${fsyncsGroup} |`,
      `| ratio | ${ratio.toFixed(1)}x | |`,
    ].join('\n');
    return { groupCommitPerSec, fsyncPerEntryPerSec, fsyncsGroup, ratio, table };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const r = await benchDurable({ lines: Number(process.argv[2] ?? 5000), writers: Number(process.argv[3] ?? 64) });
  console.log(r.table);
}
