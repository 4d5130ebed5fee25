import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NotRegularFileError, openInput } from '../../src/journal/import/input.js';

async function inTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-jinput-'));
  try {
    await fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function text(source: Parameters<typeof openInput>[0]): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of (await openInput(source)).chunks) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

test('a file found in a directory is read only as a regular file: a link, a FIFO or a device in its place is refused, without blocking', async () => {
  await inTmp(async (dir) => {
    const secret = join(dir, 'secret');
    writeFileSync(secret, 'root:x:0:0\n');
    const link = join(dir, 'b.log');
    symlinkSync(secret, link);
    const fifo = join(dir, 'c.log');
    execFileSync('mkfifo', [fifo]);
    const refused = async (path: string, reason: string) =>
      assert.rejects(openInput({ path, walked: true }), (err) => err instanceof NotRegularFileError && err.message === reason, path);
    await refused(link, 'a symbolic link, not followed');
    await refused(fifo, 'not a regular file');
    await refused('/dev/zero', 'not a regular file');
    assert.equal(await text({ path: secret, walked: true }), 'root:x:0:0\n');
    // Named as an argument, a link is the operator's: it is followed.
    assert.equal(await text({ path: link }), 'root:x:0:0\n');
  });
});
