import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLedger } from '../../src/app/ledger.js';
import { defaultConfig, type ServerConfig } from '../../src/config/index.js';
import { openCheckpoint, parseVerifierKey } from '../../src/ledger/index.js';

const SEED = Buffer.alloc(32, 7);
const root = (n: number) => Buffer.alloc(32, n);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

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
    const ledger = createLedger(config(1000), join(dir, 'ledger'), log);
    ledger.grown(5, root(5));
    await sleep(50);
    assert.equal(ledger.current(), undefined, 'sealed: nothing signed');
    await ledger.unsealed(SEED);
    for (let i = 0; i < 100 && !ledger.current(); i++) await sleep(20);
    const signedAt = performance.now();
    assert.equal(ledger.current()?.size, 5);
    const key = parseVerifierKey(ledger.verifierKey()!);
    ledger.grown(6, root(6));
    ledger.grown(7, root(7));
    const seen = new Set<number>();
    for (let i = 0; i < 200 && ledger.current()?.size !== 7; i++) {
      seen.add(ledger.current()!.size);
      await sleep(20);
    }
    assert.equal(ledger.current()?.size, 7, 'after the interval: the newest head');
    assert.ok(performance.now() - signedAt >= 900, 'not before the interval is over');
    assert.deepEqual([...seen], [5], 'nothing in between');
    ledger.grown(8, root(8));
    await ledger.sealed();
    assert.equal(ledger.current()?.size, 8, 'sealing signs what is left');
    const opened = openCheckpoint(readFileSync(join(dir, 'ledger', 'checkpoint')), key);
    assert.deepEqual({ size: opened.checkpoint.size, root: opened.checkpoint.root, origin: opened.checkpoint.origin }, { size: 8, root: root(8), origin: 'test.example/log' });
    ledger.grown(9, root(9));
    await sleep(1200);
    assert.equal(ledger.current()?.size, 8, 'no key after sealing: nothing signed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a restarted ledger goes on from the checkpoint it finds, and never signs a smaller or different tree', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-app-ledger-'));
  try {
    const first = createLedger(config(100), join(dir, 'ledger'), quietLog().log);
    await first.unsealed(SEED);
    first.grown(10, root(10));
    await first.sealed();
    const { errors, log } = quietLog();
    const second = createLedger(config(100), join(dir, 'ledger'), log);
    await second.unsealed(SEED);
    assert.equal(second.current()?.size, 10, 'the published checkpoint is served after a restart');
    second.grown(4, root(4));
    await sleep(250);
    assert.equal(second.current()?.size, 10);
    second.grown(10, root(99));
    await sleep(250);
    assert.equal(second.current()?.size, 10);
    assert.deepEqual(second.current()?.root, root(10));
    assert.equal(errors.length, 1, 'reported once');
    assert.match(errors[0], /does not extend its last checkpoint/);
    second.grown(11, root(11));
    for (let i = 0; i < 150 && second.current()?.size !== 11; i++) await sleep(20);
    assert.equal(second.current()?.size, 11, 'a tree that extends it is signed');
    // Another key (or origin) did not sign the file: it is not carried over.
    const other = createLedger(config(100), join(dir, 'ledger'), quietLog().log);
    await other.unsealed(Buffer.alloc(32, 8));
    assert.equal(other.current(), undefined);
    await second.sealed();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
