import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJournalQuery, searchJournal } from '../../src/journal/index.js';
import { BACKENDS } from './backends.js';

const parse = (params: Record<string, string>) => parseJournalQuery(params, (a) => a);

test('after_seq takes a seq, or -1 for every record from seq 0; nothing else', async () => {
  assert.equal(parse({ after_seq: '-1' }).filter.afterSeq, -1);
  assert.equal(parse({ after_seq: '41' }).filter.afterSeq, 41);
  for (const bad of ['-2', '-01', '1.5', ' 1', '1e3', '1234567890123456']) {
    assert.throws(() => parse({ after_seq: bad }), /"after_seq" must be a record's seq \(a non-negative integer\), or -1 for all/, bad);
  }
  for (const backend of BACKENDS) {
    const { store, dispose } = await backend.open();
    try {
      await Promise.all([0, 1, 2].map((i) => store.append({ kind: 'server', timeNs: BigInt(10 - i), text: `{"i":${i}}`, keys: {} })));
      assert.deepEqual((await searchJournal(store, parse({ after_seq: '-1', limit: '2' }))).records.map((r) => r.seq), [0, 1], backend.name);
      assert.deepEqual((await searchJournal(store, parse({ after_seq: '0', limit: '1' }))).records.map((r) => r.seq), [1]);
    } finally {
      await dispose();
    }
  }
});
