/** ~/.sealtrail-token: written owner-only, and never through a file or link someone else put there. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, lstatSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readStoredToken, storeToken, TOKEN_FILE_NAME } from '../../src/cli/token-store.js';

test('the token is written 0600, replacing a planted symlink instead of writing through it', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sealtrail-home-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'sealtrail-attacker-'));
  try {
    const bait = join(elsewhere, 'collect');
    writeFileSync(bait, '');
    chmodSync(bait, 0o666);
    symlinkSync(bait, join(home, TOKEN_FILE_NAME));
    await storeToken(home, 'hvs.login-token');
    assert.equal(readFileSync(bait, 'utf8'), '', 'nothing written through the link');
    const path = join(home, TOKEN_FILE_NAME);
    assert.ok(lstatSync(path).isFile(), 'the link is replaced by a file');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(await readStoredToken(home), 'hvs.login-token');
    // A loose mode on an old file does not survive a new login either.
    chmodSync(path, 0o644);
    await storeToken(home, 'hvs.next');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(home), [TOKEN_FILE_NAME], 'no temporary file left');
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  }
});
