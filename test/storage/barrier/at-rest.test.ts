/** The seal over real SQLite files: data survives a restart + unseal, and no plaintext hits disk. */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '../../../src/storage/sqlite/index.js';
import { createSealManager } from '../../../src/storage/barrier/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import { bytes, text } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'sealtrail-at-rest-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const clock = manualClock(1_700_000_000_000);

test('data written before a restart is readable after reopening the file and unsealing', async () => {
  const path = join(dir, 'restart.db');
  let physical = createSqliteStorage({ path });
  let seal = createSealManager({ physical, clock });
  const { keys } = await seal.initialize({ secretShares: 5, secretThreshold: 3 });
  for (const k of keys.slice(0, 3)) await seal.submitUnsealKey(k);
  await seal.barrier.put('secret/data/app', bytes('before restart'));
  await seal.rotate();
  await seal.barrier.put('secret/data/db', bytes('after rotate'));
  await seal.seal();
  await physical.close();

  physical = createSqliteStorage({ path });
  seal = createSealManager({ physical, clock });
  const status = await seal.status();
  assert.deepEqual([status.initialized, status.sealed, status.t, status.n], [true, true, 3, 5]);
  await assert.rejects(seal.barrier.get('secret/data/app'), { kind: 'sealed' });
  for (const k of [keys[4], keys[2], keys[0]]) await seal.submitUnsealKey(k);
  assert.equal(text(await seal.barrier.get('secret/data/app')), 'before restart');
  assert.equal(text(await seal.barrier.get('secret/data/db')), 'after rotate');
  assert.deepEqual(await seal.barrier.list('secret/data/'), ['app', 'db']);
  await physical.close();
});

test('the SQLite file and its WAL hold no plaintext of a written secret', async () => {
  const path = join(dir, 'scan.db');
  const physical = createSqliteStorage({ path });
  const seal = createSealManager({ physical, clock });
  const { keys } = await seal.initialize({ secretShares: 1, secretThreshold: 1 });
  await seal.submitUnsealKey(keys[0]);
  const secret = 'S3cr3t-Plaintext-Marker-7f3a9c';
  for (let i = 0; i < 20; i++) await seal.barrier.put(`secret/data/item${i}`, bytes(`{"password":"${secret}"}`));

  // Before closing, the data is in the WAL (SQLite folds it into the main file on close).
  assert.equal(existsSync(path + '-wal'), true);
  const files = [path, path + '-wal'];
  const scan = () => {
    for (const f of files.filter(existsSync)) {
      const raw = readFileSync(f);
      assert.equal(raw.includes(secret), false, `plaintext found in ${f}`);
      assert.equal(raw.includes(Buffer.from(secret, 'utf16le')), false, `UTF-16 plaintext found in ${f}`);
      assert.equal(raw.includes(Buffer.from(keys[0])), false, `unseal key found in ${f}`);
    }
  };
  // The scan can find something: paths are stored in the clear, so one must be there.
  assert.equal(readFileSync(path + '-wal').includes('secret/data/item7'), true);
  scan();
  await physical.close();
  scan();
});
