import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { openJournalAndLedger } from '../../../src/app/journal.js';
import { systemClock } from '../../../src/lib/clock.js';
import { consistencyProofFromTiles, noteVerifier, ed25519PrivateKeyFromSeed, openCheckpoint, verifyConsistency, noteSigner } from '../../../src/ledger/index.js';
import { freshDatabase } from '../backends.js';
import { LEDGER_SEED, ORIGIN, nodeConfig, quiet, recordOf } from './active-node.js';

const NODE = fileURLToPath(new URL('./active-node.ts', import.meta.url));
const verifier = noteVerifier(ORIGIN, noteSigner(ORIGIN, ed25519PrivateKeyFromSeed(LEDGER_SEED)).privateKey);

interface Run {
  acked: string[];
  checkpoints: string[];
}

/**
 * Runs the active node on `url` until `enough` says so (or 20 s pass), then kills it with SIGKILL.
 */
async function runAndKill(url: string, first: number, enough: (run: Run) => boolean): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', NODE, url, String(first), '20000'], { stdio: ['ignore', 'pipe', 'inherit'] });
  const run: Run = { acked: [], checkpoints: [] };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the active node did not get far enough in 20 s')), 20_000);
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [what, value] = line.split(' ');
      if (what === 'ack') run.acked.push(value);
      if (what === 'checkpoint') run.checkpoints.push(Buffer.from(value, 'base64').toString('utf8'));
      if (enough(run)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => reject(new Error(`the active node exited on its own (${code})`)));
  }).finally(() => child.kill('SIGKILL'));
  await exited;
  return run;
}

test('postgresql: a node killed with SIGKILL leaves every record it acknowledged, exactly once, seqs dense from 0', async () => {
  const url = await freshDatabase();
  const run = await runAndKill(url, 0, (r) => r.acked.length >= 400);
  const { journal, close } = await openJournalAndLedger({ ...nodeConfig(url), ledger: { ...nodeConfig(url).ledger, enabled: false } }, systemClock, quiet);
  try {
    const records = await journal!.readSince(-1, 100_000);
    assert.deepEqual(records.map((r) => r.seq), records.map((_, i) => i), 'dense from 0');
    const ids = records.map((r) => r.keys.requestId!);
    assert.equal(new Set(ids).size, ids.length, 'no record twice');
    const kept = new Set(ids);
    assert.deepEqual(run.acked.filter((id) => !kept.has(id)), [], 'every acknowledged record is there');
    assert.ok(records.length >= run.acked.length);
  } finally {
    await close();
  }
});

test('postgresql: the next active node continues the ledger of a killed one, consistent with every checkpoint it signed', async () => {
  const url = await freshDatabase();
  // Killed while appending, after at least two checkpoints.
  const a = await runAndKill(url, 0, (r) => r.checkpoints.length >= 2 && r.acked.length >= 600);
  const { journal, ledger, close } = await openJournalAndLedger(nodeConfig(url), systemClock, quiet);
  try {
    await ledger!.unsealed(LEDGER_SEED);
    const before = await journal!.count();
    await Promise.all(Array.from({ length: 300 }, (_, i) => journal!.append(recordOf(100_000 + i))));
    const total = before + 300;
    for (let i = 0; i < 500 && (ledger!.current()?.size ?? 0) < total; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    const b = ledger!.current()!;
    assert.equal(b.size, total, 'B\'s checkpoint covers every record, A\'s and its own');
    const fetch = async (path: string) => {
      const data = await ledger!.read(path);
      if (!data) throw new Error(`missing ${path}`);
      return data;
    };
    const opened = openCheckpoint(b.note, verifier).checkpoint;
    for (const note of a.checkpoints) {
      const old = openCheckpoint(note, verifier).checkpoint;
      assert.ok(old.size <= b.size);
      const proof = await consistencyProofFromTiles(fetch, old.size, b.size);
      verifyConsistency(old.size, b.size, proof, old.root, opened.root);
    }
  } finally {
    await close();
  }
});
