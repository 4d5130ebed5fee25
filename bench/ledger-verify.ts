/**
 * What the ledger's reference verifier (src/ledger/verify-log.ts) costs against plain SHA-256 of
 * each entry, for entries of several sizes: the verifier pays a leaf hash per entry plus about one
 * interior hash, so small entries cost it most. Also the tree builder alone (interior hashes).
 * Figures are speed ratios to plain SHA-256 measured in the same run, in process CPU time.
 *
 *   node --import tsx bench/ledger-verify.ts          # BENCH_ENTRIES (default 50000), best of 7
 */
import { createHash } from 'node:crypto';
import { leafHash } from '../src/ledger/hash.js';
import { bundlesForAppend } from '../src/ledger/bundles.js';
import { bundlePath, tilePath } from '../src/ledger/paths.js';
import { TreeBuilder } from '../src/ledger/tree-builder.js';
import { verifyLog } from '../src/ledger/verify-log.js';

/** Process CPU milliseconds of one call (CPU, not wall time: the machine may be shared). */
async function cpuMs(fn: () => unknown): Promise<number> {
  const before = process.cpuUsage();
  await fn();
  const { user, system } = process.cpuUsage(before);
  return (user + system) / 1000;
}

/** The best of `rounds` timings of each, interleaved after a warm-up so both see the same heap. */
async function bestPair(a: () => unknown, b: () => unknown, rounds = 7): Promise<[number, number]> {
  let best: [number, number] = [await cpuMs(a), await cpuMs(b)];
  for (let r = 0; r < rounds; r++) best = [Math.min(best[0], await cpuMs(a)), Math.min(best[1], await cpuMs(b))];
  return best;
}

export async function benchLedgerVerify(count = 50_000): Promise<string> {
  const rows = ['| entry bytes | verify CPU ms | plain SHA-256 CPU ms | verify speed / plain |', '|---:|---:|---:|---:|'];
  for (const size of [250, 1000, 4000]) {
    const entries = Array.from({ length: count }, (_, i) => Buffer.alloc(size, i % 251));
    const files = new Map<string, Buffer>();
    for (const { bundle, data } of bundlesForAppend(0, [], entries)) files.set(bundlePath(bundle), data);
    const builder = TreeBuilder.empty();
    for (const { tile, data } of [...builder.append(entries.map(leafHash)), ...builder.partialTiles()]) files.set(tilePath(tile), data);
    const root = builder.root();
    const fetch = async (path: string) => files.get(path) ?? Promise.reject(new Error(`no ${path}`));
    const [verify, plain] = await bestPair(
      async () => { if (!(await verifyLog({ size: count, root, fetch })).ok) throw new Error('the benchmark log does not verify'); },
      () => { for (const e of entries) createHash('sha256').update(e).digest(); },
    );
    rows.push(`| ${size} | ${verify.toFixed(1)} | ${plain.toFixed(1)} | ${(plain / verify).toFixed(2)} |`);
  }
  return [`${count.toLocaleString('en-US')} entries`, '', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(await benchLedgerVerify(Number(process.env.BENCH_ENTRIES ?? 50_000)));
}
