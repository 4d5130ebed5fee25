import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, withImportWorld } from './import-helpers.js';
import { BACKENDS } from './backends.js';

for (const backend of BACKENDS) {
  test(`${backend.name}: capsule log lines: access and control records by their shape, text and time kept, keys extracted`, async () => {
    await withImportWorld(backend, async (w) => {
      const file = join(w.dir, 'capsule.jsonl');
      copyFileSync(join(FIXTURES, 'capsule-access.jsonl'), file);
      const summary = await w.run('capsule-log', [file]);
      assert.deepEqual({ added: summary.added, bad: summary.bad }, { added: 4, bad: 0 });
      const records = (await w.all());
      assert.deepEqual(records.map((r) => r.text), readFileSync(file, 'utf8').trimEnd().split('\n'));
      assert.deepEqual(records.map((r) => r.kind), ['capsule-access', 'capsule-access', 'capsule-access', 'capsule-control']);
      assert.equal(records[1].timeNs, 1_796_439_601_500_000_000n);
      assert.deepEqual(records[2].keys, {
        capsule: 'cap-7f3a', session: 'ses-4d1e', entityId: '1a2b3c4d-0000-4000-8000-00000000000a', operation: 'open', outcome: 'failure',
      });
      assert.deepEqual(records[3].keys, { session: 'ses-2b9c', path: 'capsule/read-context/analysts', operation: 'POST', outcome: 'success' });
      assert.equal((await w.run('capsule-log', [file])).duplicates, 4);
    });
  });

  test(`${backend.name}: a line that is neither record, or lacks its id or time, is bad`, async () => {
    await withImportWorld(backend, async (w) => {
      const file = join(w.dir, 'bad.jsonl');
      writeFileSync(file, [
        '{"id":"a","time":"2026-12-05T03:00:00Z","operation":"read"}',
        '{"time":"2026-12-05T03:00:00Z","operation":"read","domain":"d"}',
        '{"id":"b","operation":"read","domain":"d"}',
        '{"id":"c","time":"2026-12-05T03:00:00Z","operation":"read","domain":"d","url":"/v1/x","summary":"s"}',
        '[]',
        '',
      ].join('\n'));
      const summary = await w.run('capsule-log', [file]);
      assert.deepEqual(summary.reports.map((r) => `${r.line}: ${r.reason}`), [
        '1: neither an access record (operation, domain) nor a control record (url, summary)',
        '2: missing "id"',
        '3: missing "time"',
        '4: neither an access record (operation, domain) nor a control record (url, summary)',
        '5: not a JSON object',
      ]);
      assert.equal(summary.added, 0);
    });
  });
}
