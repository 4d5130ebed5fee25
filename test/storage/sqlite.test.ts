import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, statSync, existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteStorage } from '../../src/storage/sqlite/index.js';
import { SealtrailError } from '../../src/errors/index.js';

const dir = mkdtempSync(join(tmpdir(), 'sealtrail-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('sqlite: data persists across close and reopen', async () => {
  const path = join(dir, 'persist.db');
  const first = createSqliteStorage({ path });
  await first.put('secret/a', new TextEncoder().encode('alpha'));
  await first.transaction([
    { op: 'put', key: 'secret/b/c', value: Uint8Array.of(1, 2, 3) },
    { op: 'put', key: 'gone', value: Uint8Array.of(9) },
    { op: 'delete', key: 'gone' },
  ]);
  await first.close();

  const second = createSqliteStorage({ path });
  try {
    assert.equal(new TextDecoder().decode(await second.get('secret/a')), 'alpha');
    assert.deepEqual(Uint8Array.from((await second.get('secret/b/c'))!), Uint8Array.of(1, 2, 3));
    assert.equal(await second.get('gone'), undefined);
    assert.deepEqual(await second.list('secret/'), ['a', 'b/']);
  } finally {
    await second.close();
  }
});

test('sqlite: creates the parent directory and a 0600 file in WAL mode', async () => {
  const path = join(dir, 'nested', 'deeper', 'data.db');
  const s = createSqliteStorage({ path });
  await s.put('k', Uint8Array.of(1));
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(existsSync(path + '-wal'), true);
  assert.equal(statSync(path + '-wal').mode & 0o077, 0);
  await s.close();
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('sqlite: rejects bad keys with a clear error and calls after close fail', async () => {
  const s = createSqliteStorage({ path: join(dir, 'bad.db') });
  await assert.rejects(s.get(''), { name: 'SealtrailError', code: 'invalid_storage_key' });
  await assert.rejects(s.put(42 as unknown as string, Uint8Array.of(1)), { code: 'invalid_storage_key' });
  await s.close();
  await s.close(); // closing twice is harmless
  await assert.rejects(s.get('k'), /not open/);
});

test('sqlite: a database file deleted or replaced under the open storage refuses writes (they would be lost) and still serves reads', async () => {
  for (const how of ['deleted', 'replaced'] as const) {
    const d = mkdtempSync(join(tmpdir(), 'sealtrail-sqlite-moved-'));
    const path = join(d, 'sealtrail.db');
    const s = createSqliteStorage({ path });
    try {
      await s.put('kept', new Uint8Array([1]));
      if (how === 'deleted') unlinkSync(path);
      else {
        writeFileSync(join(d, 'other.db'), '');
        renameSync(join(d, 'other.db'), path);
      }
      const refused = (err: unknown) => err instanceof SealtrailError && err.code === 'storage_failed' && err.message.includes(`was ${how} while the server runs`);
      await assert.rejects(s.put('lost', new Uint8Array([2])), refused);
      await assert.rejects(s.delete('kept'), refused);
      await assert.rejects(s.transaction([{ op: 'put', key: 'lost', value: new Uint8Array([3]) }]), refused);
      assert.deepEqual(await s.get('kept'), Buffer.from([1]));
      assert.equal(await s.get('lost'), undefined);
    } finally {
      await s.close();
      rmSync(d, { recursive: true, force: true });
    }
  }
});
