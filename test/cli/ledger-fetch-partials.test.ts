/**
 * `ledger verify --dir` on a running server's directory: the server removes a partial tile or
 * bundle once its log has outgrown it, possibly after the verifier read the older checkpoint. The
 * verifier reads it from the narrowest wider partial (the same first bytes), never reporting a
 * tampered log that is not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { directoryFetcher } from '../../src/cli/ledger-fetch.js';
import { ledgerFiles } from '../../src/journal/ledger/ledger-dir.js';
import { inclusionProofFromTiles, leafHash, LogAppender, verifyInclusion } from '../../src/ledger/index.js';

test('a partial pruned after the checkpoint naming it was read comes from a wider partial', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-fetch-partials-'));
  try {
    const files = ledgerFiles(dir, { fsync: false });
    const appender = LogAppender.empty();
    const entries = Array.from({ length: 9 }, (_, i) => Buffer.from(`record ${i}`));
    const at5 = appender.append(entries.slice(0, 5));
    files.write(at5.files);
    files.write(appender.append(entries.slice(5)).files);
    // The server prunes size 5's partials once a checkpoint of 9 is signed.
    rmSync(join(dir, 'tile', '0', '000.p', '5'));
    rmSync(join(dir, 'tile', 'entries', '000.p', '5'));
    const fetch = directoryFetcher(dir);
    assert.deepEqual(await fetch('tile/0/000.p/5'), readFileSync(join(dir, 'tile', '0', '000.p', '9')).subarray(0, 5 * 32));
    const bundle = await fetch('tile/entries/000.p/5');
    assert.ok(bundle.length < readFileSync(join(dir, 'tile', 'entries', '000.p', '9')).length);
    // A verifier holding the checkpoint of size 5 still proves its records.
    for (let i = 0; i < 5; i++) verifyInclusion(i, 5, leafHash(entries[i]), await inclusionProofFromTiles(fetch, i, 5), at5.root);
    // A width never written and no wider one: still missing.
    await assert.rejects(fetch('tile/0/001.p/3'), /not found/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
