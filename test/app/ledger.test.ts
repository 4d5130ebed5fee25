import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLedger, ledgerDirectoryStore, type LedgerWitness } from '../../src/app/ledger.js';
import { defaultConfig, type ServerConfig } from '../../src/config/index.js';
import { ledgerFiles } from '../../src/journal/ledger/ledger-dir.js';
import { LogAppender, openCheckpoint, parseVerifierKey } from '../../src/ledger/index.js';

const SEED = Buffer.alloc(32, 7);
const root = (n: number) => Buffer.alloc(32, n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A log written to `dir` as the journal's indexer writes it: `grow(n)` appends records up to `n`
 * (`record <i>`, or `<variant> <i>` for a rewritten history) and answers the new root.
 */
function realLog(dir: string, variant = 'record') {
  let appender = LogAppender.empty();
  const files = ledgerFiles(dir, { fsync: false });
  return {
    grow(size: number): Buffer {
      const entries = Array.from({ length: size - appender.size }, (_, i) => Buffer.from(`${variant} ${appender.size + i}`));
      const { root: grown, files: written } = appender.append(entries);
      files.write(written);
      return grown;
    },
    restart() {
      appender = LogAppender.empty();
    },
  };
}

/** The barrier's record of the last checkpoint, in memory. */
function memoryWitness(): LedgerWitness & { note?: string } {
  const w: LedgerWitness & { note?: string } = { read: async () => w.note, write: async (note) => { w.note = note; } };
  return w;
}

const waitFor = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(20);
  return cond();
};

function config(intervalMs: number): ServerConfig {
  const c = defaultConfig();
  return { ...c, ledger: { ...c.ledger, origin: 'test.example/log', checkpointIntervalMs: intervalMs } };
}

function quietLog() {
  const errors: string[] = [];
  return { errors, log: { warn: () => undefined, error: (_f: object, m: string) => { errors.push(m); } } };
}

test('checkpoints: none before the key, then at most one per interval, one more at seal; the file holds the latest', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-app-ledger-'));
  try {
    const { log } = quietLog();
    const tree = realLog(join(dir, 'ledger'));
    const ledger = createLedger(config(1000), join(dir, 'ledger'), log);
    ledger.grown(5, tree.grow(5));
    await sleep(50);
    assert.equal(ledger.current(), undefined, 'sealed: nothing signed');
    await ledger.unsealed(SEED);
    for (let i = 0; i < 100 && !ledger.current(); i++) await sleep(20);
    const signedAt = performance.now();
    assert.equal(ledger.current()?.size, 5);
    const key = parseVerifierKey(ledger.verifierKey()!);
    ledger.grown(6, tree.grow(6));
    const root7 = tree.grow(7);
    ledger.grown(7, root7);
    const seen = new Set<number>();
    for (let i = 0; i < 200 && ledger.current()?.size !== 7; i++) {
      seen.add(ledger.current()!.size);
      await sleep(20);
    }
    assert.equal(ledger.current()?.size, 7, 'after the interval: the newest head');
    // Unlimited, it would come within milliseconds; the margin absorbs a slow, shared machine.
    assert.ok(performance.now() - signedAt >= 500, 'not before the interval is (nearly) over');
    assert.deepEqual([...seen], [5], 'nothing in between');
    const root8 = tree.grow(8);
    ledger.grown(8, root8);
    await ledger.sealed();
    assert.equal(ledger.current()?.size, 8, 'sealing signs what is left');
    const opened = openCheckpoint(readFileSync(join(dir, 'ledger', 'checkpoint')), key);
    assert.deepEqual({ size: opened.checkpoint.size, root: opened.checkpoint.root, origin: opened.checkpoint.origin }, { size: 8, root: root8, origin: 'test.example/log' });
    ledger.grown(9, tree.grow(9));
    await sleep(1200);
    assert.equal(ledger.current()?.size, 8, 'no key after sealing: nothing signed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a restarted ledger goes on from the checkpoint it finds, and never signs a smaller or different tree', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-app-ledger-'));
  try {
    const tree = realLog(join(dir, 'ledger'));
    const first = createLedger(config(100), join(dir, 'ledger'), quietLog().log);
    await first.unsealed(SEED);
    const root10 = tree.grow(10);
    first.grown(10, root10);
    await first.sealed();
    const { errors, log } = quietLog();
    const episodes: boolean[] = [];
    const second = createLedger(config(100), join(dir, 'ledger'), log, (diverged) => episodes.push(diverged));
    await second.unsealed(SEED);
    assert.equal(second.current()?.size, 10, 'the published checkpoint is served after a restart');
    second.grown(4, root(4));
    await sleep(250);
    assert.equal(second.current()?.size, 10);
    second.grown(10, root(99));
    await sleep(250);
    assert.equal(second.current()?.size, 10);
    assert.deepEqual(second.current()?.root, root10);
    assert.equal(errors.length, 1, 'reported once');
    assert.match(errors[0], /does not extend its last checkpoint/);
    assert.deepEqual(episodes, [true]);
    second.grown(11, tree.grow(11));
    assert.ok(await waitFor(() => second.current()?.size === 11), 'a tree that extends it is signed');
    assert.deepEqual(episodes, [true, false]);
    // Another key (or origin) did not sign the file: it is not carried over.
    const other = createLedger(config(100), join(dir, 'ledger'), quietLog().log);
    await other.unsealed(Buffer.alloc(32, 8));
    assert.equal(other.current(), undefined);
    await second.sealed();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a larger tree that does not extend the last checkpoint (a rewritten history) is never signed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-app-ledger-'));
  try {
    const ledgerDir = join(dir, 'ledger');
    const first = createLedger(config(100), ledgerDir, quietLog().log);
    await first.unsealed(SEED);
    first.grown(300, realLog(ledgerDir).grow(300));
    await first.sealed();
    // The same number of records and more, but different ones: the log rebuilt from a rewritten journal.
    const forged = realLog(ledgerDir, 'forged');
    const { errors, log } = quietLog();
    const episodes: boolean[] = [];
    const second = createLedger(config(100), ledgerDir, log, (diverged) => episodes.push(diverged));
    await second.unsealed(SEED);
    second.grown(340, forged.grow(340));
    assert.ok(await waitFor(() => errors.length > 0));
    await sleep(300);
    assert.equal(second.current()?.size, 300, 'nothing signed over the rewritten records');
    assert.match(errors[0], /does not extend its last checkpoint/);
    assert.deepEqual(episodes, [true]);
    await second.sealed();
    assert.equal(second.current()?.size, 300, 'nor at seal');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the barrier keeps the last checkpoint: deleting or rolling back the file does not let a rewritten history be signed', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-app-ledger-'));
  try {
    const ledgerDir = join(dir, 'ledger');
    const witness = memoryWitness();
    const first = createLedger(config(100), ledgerDir, quietLog().log);
    await first.unsealed(SEED, witness);
    const tree = realLog(ledgerDir);
    first.grown(20, tree.grow(20));
    // The checkpoint is served from memory as soon as it is signed, and written to its file after.
    const onFile = () => { try { return readFileSync(join(ledgerDir, 'checkpoint'), 'utf8'); } catch { return undefined; } };
    assert.ok(await waitFor(() => first.current()?.size === 20 && onFile() === first.current()?.note));
    const older = onFile()!;
    first.grown(40, tree.grow(40));
    await first.sealed();
    assert.equal(witness.note, first.current()?.note, 'the barrier holds the last checkpoint signed');

    // Whoever writes the ledger's files but not the barrier: the checkpoint file is deleted, then
    // rolled back to an older genuine one, and the log rebuilt from rewritten records.
    for (const tamper of [() => rmSync(join(ledgerDir, 'checkpoint')), () => writeFileSync(join(ledgerDir, 'checkpoint'), older)]) {
      tamper();
      const forged = realLog(ledgerDir, 'forged');
      const { errors, log } = quietLog();
      const next = createLedger(config(100), ledgerDir, log);
      await next.unsealed(SEED, witness);
      assert.equal(next.current()?.size, 40, 'served from the barrier');
      assert.equal(readFileSync(join(ledgerDir, 'checkpoint'), 'utf8'), witness.note, 'and written back for verifiers of the files');
      next.grown(45, forged.grow(45));
      assert.ok(await waitFor(() => errors.length > 0));
      await next.sealed();
      assert.equal(next.current()?.size, 40, 'the rewritten history is not signed');
      assert.equal(openCheckpoint(witness.note!, parseVerifierKey(next.verifierKey()!)).checkpoint.size, 40);
    }

    // Without the barrier's record the same rewrite would be signed: that is what it prevents.
    rmSync(join(ledgerDir, 'checkpoint'), { force: true });
    const unwitnessed = createLedger(config(100), ledgerDir, quietLog().log);
    await unwitnessed.unsealed(SEED);
    unwitnessed.grown(45, realLog(ledgerDir, 'forged').grow(45));
    await unwitnessed.sealed();
    assert.equal(unwitnessed.current()?.size, 45);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tiles that cannot be read for a moment delay a checkpoint, never lose it: it is signed once they can, with nothing new', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-app-ledger-'));
  try {
    const ledgerDir = join(dir, 'ledger');
    const files = ledgerDirectoryStore(ledgerDir, false);
    let failing = false;
    const flaky = { ...files, read: (path: string) => (failing ? Promise.reject(Object.assign(new Error('EIO'), { code: 'EIO' })) : files.read(path)) };
    const tree = realLog(ledgerDir);
    const ledger = createLedger(config(100), flaky, quietLog().log);
    await ledger.unsealed(SEED);
    ledger.grown(5, tree.grow(5));
    assert.ok(await waitFor(() => ledger.current()?.size === 5));
    failing = true;
    ledger.grown(8, tree.grow(8));
    await sleep(300);
    assert.equal(ledger.current()?.size, 5, 'not signed while the proof cannot be read');
    failing = false;
    assert.ok(await waitFor(() => ledger.current()?.size === 8), 'signed once it can, with no new record');
    await ledger.sealed();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a checkpoint the barrier cannot keep for a moment (its disk full) is signed once it can, with nothing new', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-app-ledger-'));
  try {
    const ledgerDir = join(dir, 'ledger');
    const witness = memoryWitness();
    let full = false;
    const keep = witness.write;
    witness.write = (note) => (full ? Promise.reject(Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })) : keep(note));
    const tree = realLog(ledgerDir);
    const ledger = createLedger(config(100), ledgerDir, quietLog().log);
    await ledger.unsealed(SEED, witness);
    ledger.grown(5, tree.grow(5));
    assert.ok(await waitFor(() => ledger.current()?.size === 5));
    full = true;
    ledger.grown(8, tree.grow(8));
    await sleep(300);
    assert.equal(ledger.current()?.size, 5, 'not served before the barrier keeps it');
    full = false;
    assert.ok(await waitFor(() => ledger.current()?.size === 8), 'signed once the barrier takes it, with no new record');
    assert.equal(openCheckpoint(witness.note!, parseVerifierKey(ledger.verifierKey()!)).checkpoint.size, 8);
    await ledger.sealed();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
