import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeDirectory, makeDirectorySync } from '../../src/lib/make-dir.js';

for (const [name, make] of [['makeDirectory', makeDirectory], ['makeDirectorySync', async (d: string, m: number) => makeDirectorySync(d, m)]] as const) {
  test(`${name} creates missing parents with the mode, accepts what exists, refuses a file in the way`, { timeout: 10_000 }, async () => {
    const root = mkdtempSync(join(tmpdir(), 'sealtrail-mkdir-'));
    try {
      const deep = join(root, 'a', 'b', 'c');
      await make(deep, 0o700);
      for (const d of [join(root, 'a'), join(root, 'a', 'b'), deep]) assert.equal(statSync(d).mode & 0o777, 0o700, d);
      await make(deep, 0o700);
      await Promise.all([make(join(root, 'x', 'y'), 0o700), make(join(root, 'x', 'y'), 0o700)]);
      assert.ok(existsSync(join(root, 'x', 'y')));

      writeFileSync(join(root, 'file'), '');
      await assert.rejects(make(join(root, 'file', 'sub'), 0o700), { code: 'ENOTDIR' });
      // Node's own recursive mkdir never returns here (it loops under procfs); this one fails.
      if (existsSync('/proc/self')) await assert.rejects(make('/proc/sealtrail-none/sub', 0o700), { code: 'ENOENT' });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}
