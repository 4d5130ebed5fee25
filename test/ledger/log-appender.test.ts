import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leafHash, rootOf } from '../../src/ledger/hash.js';
import { LogAppender } from '../../src/ledger/log-appender.js';
import { verifyLog } from '../../src/ledger/verify-log.js';
import { assertCode, entries, MemoryLog, prng } from './helpers.js';

function store(files: Map<string, Buffer>, result: { files: readonly { path: string; data: Buffer }[] }): void {
  for (const { path, data } of result.files) files.set(path, data);
}

test('the appender writes the same files as the builder and bundles do, and a reopened appender continues the same log', async () => {
  const rand = prng(77);
  const files = new Map<string, Buffer>();
  const fetch = async (path: string) => files.get(path) ?? Promise.reject(new Error(`no file ${path}`));
  const reference = new MemoryLog();
  let appender = LogAppender.empty();
  const all: Buffer[] = [];
  for (let batch = 0; batch < 30; batch++) {
    const next = entries(rand(batch % 3 === 0 ? 600 : 40), appender.size);
    all.push(...next);
    const result = appender.append(next);
    store(files, result);
    const root = reference.append(next);
    assert.deepEqual(result.root, root);
    assert.equal(result.size, all.length);
    if (batch % 4 === 3) appender = await LogAppender.open(appender.size, fetch);
  }
  assert.deepEqual(new Map([...files].sort()), new Map([...reference.files].sort()));
  assert.deepEqual(appender.root(), rootOf(all.map(leafHash)));
  assert.deepEqual(await verifyLog({ size: appender.size, root: appender.root(), fetch }), { ok: true, size: all.length, root: appender.root() });
});

test('the appender keeps copies of the partial bundle, so a caller reusing its buffers changes nothing', () => {
  const appender = LogAppender.empty();
  const entry = Buffer.from('first');
  appender.append([entry]);
  entry.write('FIRST');
  const result = appender.append([Buffer.from('second')]);
  assert.deepEqual(result.files.find((f) => f.path === 'tile/entries/000.p/2')?.data, Buffer.from('\x00\x05first\x00\x06second', 'latin1'));
});

test('an oversized entry is refused before the tree takes any of its batch', () => {
  const appender = LogAppender.empty();
  appender.append([Buffer.from('a')]);
  const before = appender.root();
  assertCode(() => appender.append([Buffer.from('b'), Buffer.alloc(65_536)]), 'ledger_entry_too_large');
  assert.equal(appender.size, 1);
  assert.deepEqual(appender.root(), before);
});

test('a reopened appender refuses a partial bundle whose entries are not the hashes of its level-0 tile', async () => {
  const files = new Map<string, Buffer>();
  const fetch = async (path: string) => files.get(path) ?? Promise.reject(new Error(`no file ${path}`));
  store(files, LogAppender.empty().append(entries(300, 0)));
  const bundle = Buffer.from(files.get('tile/entries/001.p/44')!);
  bundle[bundle.length - 1] ^= 1;
  files.set('tile/entries/001.p/44', bundle);
  await assert.rejects(LogAppender.open(300, fetch), (err: { code?: string; message: string }) => {
    assert.equal(err.code, 'ledger_invalid_bundle');
    assert.match(err.message, /entry 299/);
    return true;
  });
});
