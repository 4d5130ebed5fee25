/**
 * What the journal's spool costs the thread answering requests per batch (one ~1.2 KB record per
 * batch, the size of an audit entry, no fsync), and what one stat(2) of a segment's path costs:
 * the check that the segment still has its name (spool-writer.ts) runs once per CHECK_MS, not per
 * batch, because the stat costs about what the batch's write(2) does. CPU µs of this process,
 * after a warm-up; compare runs of this file on two commits to see a change's cost.
 *
 *   node --import tsx bench/spool-append.ts            # BENCH_BATCHES (default 100000)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFrameEncoder } from '../src/journal/spool/frame.js';
import { createSpoolWriter } from '../src/journal/spool/spool-writer.js';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 100_000);
const text = JSON.stringify({ type: 'response', request: { path: 'secret/data/x', id: 'req' }, pad: 'x'.repeat(1000) });
const frames = Buffer.from(createFrameEncoder().encode([{ kind: 'vault-response', timeNs: 1n, text, keys: { requestId: 'r' } }]));
const dir = mkdtempSync(join(tmpdir(), 'sealtrail-bench-spool-'));
const cpuUs = (since: NodeJS.CpuUsage) => { const c = process.cpuUsage(since); return c.user + c.system; };
try {
  const writer = createSpoolWriter({ dir, segment: 1, fsync: false, onAcknowledged: () => undefined, onCacheError: () => undefined, onRestored: () => undefined });
  for (let i = 0; i < 5000; i++) await writer.write(frames);
  let since = process.cpuUsage();
  for (let i = 0; i < BATCHES; i++) await writer.write(frames);
  const batchUs = cpuUs(since) / BATCHES;
  await writer.close();
  const path = join(dir, '0000000001.seg');
  since = process.cpuUsage();
  for (let i = 0; i < BATCHES; i++) statSync(path, { throwIfNoEntry: false });
  const statUs = cpuUs(since) / BATCHES;
  console.log(JSON.stringify({ batches: BATCHES, cpuUsPerBatch: +batchUs.toFixed(2), cpuUsPerStat: +statUs.toFixed(2) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
