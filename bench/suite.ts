/**
 * The in-process benchmarks, printed as Markdown sections (run by `npm run bench` after the HTTP
 * KV section). Each figure is set against a baseline measured in the same run.
 * BENCH_QUICK=1 shrinks every size for a smoke run.
 */
import { benchApmHttp } from './apm-http.js';
import { benchNitroVerify } from './attestation.js';
import { benchAuditInProcess } from './audit-inprocess.js';
import { benchAuditPipeline } from './audit-pipeline.js';
import { benchDurable } from './audit-durable.js';
import { benchCapsules } from './capsule.js';
import { benchJournalExport } from './journal-export.js';
import { benchJournalImport } from './journal-import.js';
import { benchJournalQuery } from './journal-query.js';
import { benchKms } from './kms.js';
import { benchLedgerVerify } from './ledger-verify.js';
import { benchLedgerVerifyCli } from './ledger-verify-cli.js';
import { benchLookupEvents } from './trail.js';
import { benchPgStorage } from './pg-storage.js';
import { benchLru } from './lru.js';

const quick = process.env.BENCH_QUICK === '1';
const section = (title: string, body: string) => console.log(`\n## ${title}\n\n${body}`);

section('Bounded caches and rate limit counters under churn vs a FIFO Map', await benchLru(quick ? 1 : 5));

const pipeline = await benchAuditPipeline({ entries: quick ? 2000 : 20000 });
section('Audit pipeline (hash + format + write) vs the fair floor (every string HMAC\'d + JSON.stringify + append)', [
  '| pipeline entries/s | floor entries/s | pipeline / floor | HMACs per entry (pipeline / floor) | JSON.stringify + append, no hashing, entries/s | pipeline / that |', '|---:|---:|---:|---:|---:|---:|',
  `| ${pipeline.pipelinePerSec} | ${pipeline.floorPerSec} | ${pipeline.ratio.toFixed(2)} | ${pipeline.hmacsPerEntry.pipeline} / ${pipeline.hmacsPerEntry.floor} | ${pipeline.plainPerSec} | ${pipeline.plainRatio.toFixed(2)} |`,
  '', 'Entries per CPU second of this process (the best of 3 interleaved rounds each).',
].join('\n'));

section('Audit cost in process: KV v2 reads through the lifecycle, without HTTP', (await benchAuditInProcess({ roundMs: quick ? 500 : 3000, rounds: quick ? 2 : 5 })).table);

section('Audit durable mode: group commit vs one fsync per entry', (await benchDurable({ lines: quick ? 500 : 5000, writers: 64 })).table);

const verify = await benchNitroVerify({ iterations: quick ? 50 : 500 });
section('Nitro attestation verification (dev-enclave documents)', [
  '| with intermediate-certificate cache /s | without cache /s | ratio |', '|---:|---:|---:|',
  `| ${verify.withCache} | ${verify.withoutCache} | ${(verify.withCache / verify.withoutCache).toFixed(2)} |`,
].join('\n'));

section('Attestation login over HTTP (init + auth handshakes)', (await benchApmHttp({ durationMs: quick ? 1000 : 5000, concurrency: 8 })).table);

section('PostgreSQL storage vs SQLite (KV v2 over HTTP), and HA failover', await benchPgStorage({ seconds: quick ? 1 : 3, rounds: quick ? 1 : 3 }));

section('KMS through the AWS SDK v3 vs bare crypto', (await benchKms({ duration: quick ? 1 : 5 })).table);

const caps = await benchCapsules({ rows: quick ? 1000 : 10000 });
section('Capsules: encapsulate and load a table with classification vs raw AES-256-GCM', caps.table);

const lookup = await benchLookupEvents({ events: quick ? 20000 : 1_000_000 });
section(`CloudTrail LookupEvents with ${lookup.events.toLocaleString('en-US')} stored events`, [
  '| query | p50 ms | p99 ms | runs |', '|---|---:|---:|---:|',
  ...Object.entries(lookup.queries).map(([q, r]) => `| ${q} | ${r.p50Ms} | ${r.p99Ms} | ${r.runs} |`),
  '', `Filling the store took ${lookup.fillSeconds.toFixed(1)} s.`,
].join('\n'));

const jimport = await benchJournalImport(quick ? 20_000 : 200_000);
section(`Journal import of ${jimport.lines.toLocaleString('en-US')} Vault audit lines vs JSON.parse of each line`, [
  '| | lines/s | lines per CPU second |', '|---|---:|---:|',
  `| import (read, parse, keys, store) | ${jimport.importLinesPerSecond} | ${jimport.importLinesPerCpuSecond} |`,
  `| import without the store | | ${jimport.readLinesPerCpuSecond} |`,
  `| JSON.parse of each line | ${jimport.parseLinesPerSecond} | ${jimport.parseLinesPerCpuSecond} |`,
].join('\n'));

// The journals below are built once per size and cached in the system's temporary directory.
const jexport = await benchJournalExport({ records: quick ? 20_000 : 1_000_000 });
section(`Journal export (--journal) of ${jexport.records.toLocaleString('en-US')} records to /dev/null`, jexport.table);

const jquery = await benchJournalQuery({ records: quick ? 20_000 : Number(process.env.BENCH_JOURNAL_RECORDS ?? 10_000_000), runs: quick ? 20 : 200 });
section(`Journal queries with ${jquery.records.toLocaleString('en-US')} records (pages of 100)`, [
  jquery.table, '', jquery.buildSeconds > 0 ? `Building the journal took ${jquery.buildSeconds.toFixed(0)} s (${jquery.buildCpuSeconds.toFixed(0)} CPU s).` : 'The journal was built by an earlier run.',
].join('\n'));

const lverify = await benchLedgerVerifyCli(quick ? 20_000 : 1_000_000);
section(`Ledger verify of ${lverify.records.toLocaleString('en-US')} records (${lverify.megabytes.toFixed(0)} MB of entries) vs plain SHA-256 of each entry`, [
  '| sealtrail ledger verify --dir (the whole process) s | plain SHA-256 s | verify speed / plain |', '|---:|---:|---:|',
  `| ${lverify.verifySeconds.toFixed(2)} | ${lverify.plainSeconds.toFixed(2)} | ${lverify.ratio.toFixed(2)} |`,
].join('\n'));
section('Ledger verifier in process, by entry size (one thread)', await benchLedgerVerify(quick ? 5_000 : 50_000));

