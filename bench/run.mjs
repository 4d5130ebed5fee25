// `npm run bench`: runs every benchmark and prints Markdown tables (copied into BENCHMARKS.md).
// Figures are ratios against baselines measured in the same run, never absolute pass/fail gates.
import { spawnSync } from 'node:child_process';
import { cpus } from 'node:os';
import { benchKmsHttp } from './kms-http.mjs';
import { benchKv } from './kv.mjs';
import { benchConsole } from './console.mjs';

const duration = Number(process.env.BENCH_DURATION ?? 5);
console.log(`# Sealtrail benchmarks — ${new Date().toISOString()}`);
console.log(`node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown cpu'}), ${duration}s per load run, 32 connections\n`);

console.log('## KV v2 over HTTP (autocannon)\n');
const kv = await benchKv({ duration, rounds: Number(process.env.BENCH_ROUNDS ?? 7) });
console.log(kv.table);

console.log('\n## KMS over HTTP with pre-signed requests vs KV v2 reads on the same server (autocannon)\n');
const kms = await benchKmsHttp({ duration, rounds: Number(process.env.BENCH_KMS_ROUNDS ?? 3) });
console.log(kms.table);

// The rest runs in TypeScript (tsx), in its own process.
const suite = spawnSync(process.execPath, ['--import', 'tsx', 'bench/suite.ts'], { stdio: 'inherit', cwd: new URL('..', import.meta.url).pathname });

// The console in headless Chromium (playwright-core), against its own dev server.
console.log('\n## Console: first render of a 1,000-record timeline, and the bundle size\n');
console.log((await benchConsole({ runs: Number(process.env.BENCH_CONSOLE_RUNS ?? 7) })).table);
process.exitCode = suite.status ?? 1;
