/**
 * The ledger over HTTP, checked by an independent client (test/helpers/tlog.ts: RFC 6962/9162 and
 * the C2SP specs on node:crypto, nothing of src/ledger): the signed checkpoint opens with the
 * published key, every tile and entry bundle reproduces its root, entry i is journal record seq i,
 * and the proofs the server computes verify.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { createJournalStore } from '../../src/journal/index.js';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import {
  checkTiles, consistent, fetchEntries, leafHash, ledgerGet, merkleRoot, openSignedCheckpoint, rootFromInclusion, type Checkpoint,
} from '../helpers/tlog.js';

/** Polls until the server has signed a checkpoint of at least `size` leaves (bounded: 10 s). */
async function checkpointOf(s: TestServer, size: number, token: string | undefined = s.rootToken): Promise<{ note: string; cp: Checkpoint; key: string }> {
  const key = (await call(s.address, 'GET', 'sys/ledger/key')).json.data.verifier_key as string;
  for (let i = 0; i < 100; i++) {
    const res = await ledgerGet(s.address, 'checkpoint', token);
    if (res.status === 200) {
      const cp = openSignedCheckpoint(res.body.toString('utf8'), key);
      if (cp.size >= size) return { note: res.body.toString('utf8'), cp, key };
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no checkpoint of ${size} leaves within 10 s`);
}

/** Every journal record's text by seq (format=raw), paged by cursor (bounded). */
async function journalTexts(s: TestServer): Promise<Map<number, string>> {
  const out = new Map<number, string>();
  let cursor: string | undefined;
  for (let page = 0; page < 20; page++) {
    const q = new URLSearchParams({ format: 'raw', order: 'asc', limit: '1000', ...(cursor ? { cursor } : {}) });
    const res = await call(s.address, 'GET', `sys/journal/records?${q}`, { token: s.rootToken });
    assert.equal(res.status, 200);
    for (const r of res.json.data.records as { seq: number; text: string }[]) out.set(r.seq, r.text);
    cursor = res.json.data.next_cursor ?? undefined;
    if (!cursor) break;
  }
  return out;
}

test('the published log: checkpoint, key, every tile and bundle, entries = journal records, proofs', { timeout: 60_000 }, async () => {
  const s = await startDevServer();
  try {
    // Enough records for two full tiles and a partial one: 2 journal records per request.
    for (let i = 0; i < 300; i++) {
      const res = await call(s.address, 'POST', `secret/data/ledger/${i}`, { token: s.rootToken, body: { data: { i } } });
      assert.equal(res.status, 200);
    }
    const { note, cp, key } = await checkpointOf(s, 600);
    assert.match(key, /^[^+\s]+\+[0-9a-f]{8}\+/);
    assert.equal(cp.origin, key.split('+')[0]);
    assert.match(note, /^\S+\n\d+\n[A-Za-z0-9+/]{43}=\n\n\u2014 \S+ \S+\n$/);
    const keyRes = await call(s.address, 'GET', 'sys/ledger/key');
    assert.equal(keyRes.json.data.origin, cp.origin);
    assert.equal(keyRes.json.origin, undefined, 'the ledger\'s answers are not copied to the top level');

    const entries = await fetchEntries(s.address, cp.size, s.rootToken);
    const leaves = entries.map(leafHash);
    assert.deepEqual(merkleRoot(leaves), cp.root, 'the entries reproduce the signed root');
    assert.ok(await checkTiles(s.address, leaves, s.rootToken) >= 4, 'full tiles of level 0, a partial one, level 1');

    const texts = await journalTexts(s);
    for (let seq = 0; seq < cp.size; seq++) assert.equal(entries[seq].toString('utf8'), texts.get(seq), `entry ${seq} is record seq ${seq}`);

    for (const index of [0, 1, 255, 256, 511, cp.size - 1]) {
      const res = await call(s.address, 'GET', `sys/ledger/proof/inclusion?index=${index}&size=${cp.size}`, { token: s.rootToken });
      assert.equal(res.status, 200);
      assert.deepEqual({ index: res.json.data.index, size: res.json.data.size }, { index, size: cp.size });
      assert.equal(res.json.hashes, undefined);
      const proof = (res.json.data.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
      assert.deepEqual(rootFromInclusion(index, cp.size, leaves[index], proof), cp.root, `inclusion of ${index}`);
      // A smaller tree too (one no checkpoint named): the root of its first leaves.
      const small = await call(s.address, 'GET', `sys/ledger/proof/inclusion?index=${Math.min(index, 299)}&size=300`, { token: s.rootToken });
      const smallProof = (small.json.data.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
      assert.deepEqual(rootFromInclusion(Math.min(index, 299), 300, leaves[Math.min(index, 299)], smallProof), merkleRoot(leaves.slice(0, 300)));
    }
    for (const from of [0, 1, 2, 7, 256, 300, cp.size - 1, cp.size]) {
      const res = await call(s.address, 'GET', `sys/ledger/proof/consistency?from=${from}&to=${cp.size}`, { token: s.rootToken });
      assert.equal(res.status, 200);
      assert.deepEqual({ from: res.json.data.from, to: res.json.data.to }, { from, to: cp.size });
      const proof = (res.json.data.hashes as string[]).map((h) => Buffer.from(h, 'base64'));
      assert.equal(consistent(from, cp.size, proof, merkleRoot(leaves.slice(0, from)), cp.root), true, `consistency from ${from}`);
      assert.equal(consistent(from, cp.size, proof, merkleRoot(leaves.slice(0, from)), Buffer.alloc(32)), from === 0, 'and not with another root');
    }

    // Caching: the checkpoint is never cached; a full tile under the checkpoint is immutable, and
    // private while reads need a token: a shared cache (whose key has no X-Vault-Token) would
    // otherwise hand a tile, or a bundle of every record's text, to a caller without one.
    const checkpointRes = await ledgerGet(s.address, 'checkpoint', s.rootToken);
    assert.equal(checkpointRes.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(checkpointRes.headers.get('cache-control'), 'no-cache');
    const full = await ledgerGet(s.address, 'tile/0/000', s.rootToken);
    assert.equal(full.headers.get('content-type'), 'application/octet-stream');
    assert.equal(full.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    const bundle = await ledgerGet(s.address, 'tile/entries/000', s.rootToken);
    assert.equal(bundle.status, 200);
    assert.equal(bundle.headers.get('cache-control'), 'private, max-age=31536000, immutable');
    const partial = await ledgerGet(s.address, `tile/entries/002.p/${cp.size - 512}`, s.rootToken);
    assert.equal(partial.status, 200);
    assert.equal(partial.headers.get('cache-control'), 'no-cache');
  } finally {
    await s.stop();
  }
});

test('without a token: checkpoint, tiles and proofs are refused (403), the key is served; bad input is a clear 4xx', { timeout: 60_000 }, async () => {
  const s = await startDevServer();
  try {
    await call(s.address, 'POST', 'secret/data/x', { token: s.rootToken, body: { data: { a: 1 } } });
    const { cp } = await checkpointOf(s, 3);
    for (const path of ['checkpoint', 'tile/0/000.p/1', 'tile/entries/000.p/1', 'proof/inclusion?index=0&size=1', 'proof/consistency?from=0&to=1']) {
      assert.equal((await ledgerGet(s.address, path)).status, 403, path);
      assert.equal((await ledgerGet(s.address, path, 'not-a-token')).status, 403, path);
    }
    assert.equal((await ledgerGet(s.address, 'key')).status, 200);

    const SECRET = 'x001/234/067';
    const bad: [string, number, RegExp][] = [
      ['tile/0/1234', 400, /not a ledger path/],
      [`tile/0/${SECRET}`, 400, /not a ledger path/],
      ['tile/0/000.p/0', 400, /partial width/],
      ['tile/0/000.p/256', 400, /partial width/],
      ['tile/0/000.p/007', 400, /partial width/],
      ['tile/00/000', 400, /level/],
      ['tile/64/000', 400, /level/],
      ['tile/0/x999/x999/x999/x999/x999/x999/999', 400, /too large/],
      // The edge resolves dot segments first: what is left names no ledger path.
      ['tile/0/%2e%2e/%2e%2e/journal.db', 404, /unsupported path/],
      ['tile/0/..%2f..%2fjournal.db', 400, /"\." and "\.\." segments are not allowed/],
      [`tile/0/${'x123/'.repeat(20)}000`, 400, /too long/],
      ['tile/0/999', 404, /not \(yet\)|no such/],
      ['tile/entries/999.p/3', 404, /no such/],
      [`proof/inclusion?index=${cp.size}&size=${cp.size}`, 400, /"index" must be below "size"/],
      [`proof/inclusion?index=0&size=${cp.size + 1000}`, 400, /larger than the latest checkpoint/],
      ['proof/inclusion?index=01&size=2', 400, /"index" must be a decimal integer/],
      ['proof/inclusion?index=1e3&size=2', 400, /decimal integer/],
      ['proof/inclusion?index=-1&size=2', 400, /decimal integer/],
      ['proof/inclusion?index=0&size=99999999999999999999', 400, /decimal integer/],
      ['proof/inclusion?index=0', 400, /"size" must be a decimal integer/],
      ['proof/inclusion?index=0&size=1&evil=1', 400, /unknown parameter/],
      ['proof/consistency?from=2&to=1', 400, /"from" must not be larger/],
      [`proof/consistency?from=0&to=${cp.size + 1}`, 400, /larger than the latest checkpoint/],
    ];
    for (const [path, status, message] of bad) {
      const res = await call(s.address, 'GET', `sys/ledger/${path}`, { token: s.rootToken });
      assert.equal(res.status, status, path);
      assert.match(res.json.errors[0], message, path);
      assert.ok(!res.text.includes('x001/234') && !res.text.includes('evil') && !res.text.includes('journal.db'), `nothing echoed: ${res.text}`);
    }
  } finally {
    await s.stop();
  }
});

test('entry bundles hold every record\'s text: a token needs read on every journal record for them, whatever it may read of sys/ledger/*', { timeout: 60_000 }, async () => {
  const s = await startDevServer();
  try {
    const root = (method: string, path: string, body?: unknown) => call(s.address, method, path, { token: s.rootToken, body });
    const tokenOf = async (name: string, policy: string) => {
      assert.equal((await root('PUT', `sys/policies/acl/${name}`, { policy })).status, 204);
      return (await root('POST', 'auth/token/create', { policies: [name] })).json.auth.client_token as string;
    };
    const LEDGER = 'path "sys/ledger/*" { capabilities = ["read"] }\n';
    const tokens = {
      // The journal limited to one entity, and the ledger for proofs: no bundle (it holds everyone's records).
      oneEntity: await tokenOf('one-entity', `${LEDGER}path "sys/journal/records" {\n  capabilities = ["read"]\n  required_parameters = ["entity_id"]\n  allowed_parameters = { "entity_id" = ["ent-mine"], "limit" = [], "cursor" = [], "order" = [] }\n}\n`),
      ledgerOnly: await tokenOf('ledger-only', LEDGER),
      // The grant docs/journal.md describes: every record either way.
      reader: await tokenOf('journal-reader', `${LEDGER}path "sys/journal/*" { capabilities = ["read"] }\n`),
      unfiltered: await tokenOf('journal-unfiltered', `${LEDGER}path "sys/journal/records" {\n  capabilities = ["read"]\n  denied_parameters = { "path_prefix" = ["sys/*"] }\n}\n`),
    };
    await root('POST', 'secret/data/x', { data: { a: 1 } });
    const { cp } = await checkpointOf(s, 3);
    const bundle = `tile/entries/000.p/${cp.size}`;
    for (const [name, token] of Object.entries(tokens)) {
      const res = await ledgerGet(s.address, bundle, token);
      if (name === 'oneEntity' || name === 'ledgerOnly') {
        assert.equal(res.status, 403, name);
        assert.deepEqual(JSON.parse(res.body.toString('utf8')).errors,
          ['permission denied: an entry bundle holds every journal record\'s text, so reading one also needs read on sys/journal/records without a filter']);
      } else {
        assert.equal(res.status, 200, name);
      }
      // What verifying a record takes stays readable: the checkpoint, the hash tiles, the proofs.
      for (const path of ['checkpoint', `tile/0/000.p/${cp.size}`, `proof/inclusion?index=0&size=${cp.size}`, `proof/consistency?from=1&to=${cp.size}`]) {
        assert.equal((await ledgerGet(s.address, path, token)).status, 200, `${name} ${path}`);
      }
    }
    assert.equal((await ledgerGet(s.address, bundle, s.rootToken)).status, 200);
    // docs/ledger.md's grants: verifying records without the bundles, and the bundles taken out of a broader grant.
    const verifyOnly = await tokenOf('verify-only', 'path "sys/ledger/checkpoint" { capabilities = ["read"] }\npath "sys/ledger/proof/*" { capabilities = ["read"] }\n');
    for (const path of ['checkpoint', `proof/inclusion?index=0&size=${cp.size}`]) assert.equal((await ledgerGet(s.address, path, verifyOnly)).status, 200, path);
    assert.equal((await ledgerGet(s.address, bundle, verifyOnly)).status, 403);
    const noBundles = await tokenOf('no-bundles', `${LEDGER}path "sys/journal/*" { capabilities = ["read"] }\npath "sys/ledger/tile/entries/*" { capabilities = ["deny"] }\n`);
    assert.equal((await ledgerGet(s.address, bundle, noBundles)).status, 403);
    assert.equal((await ledgerGet(s.address, `tile/0/000.p/${cp.size}`, noBundles)).status, 200);
    // A path that is not canonical is still a 400 before anything else.
    assert.equal((await ledgerGet(s.address, 'tile/entries/000.p/007', tokens.ledgerOnly)).status, 400);
  } finally {
    await s.stop();
  }
});

test('ledger { public = true } serves reads without a token; with the journal off every ledger path is 404 ledger_disabled', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-public-'));
  const configPath = join(dir, 'public.hcl');
  writeFileSync(configPath, 'ledger {\n  public = true\n  checkpoint_interval = "200ms"\n  origin = "test.example/ledger"\n}\n');
  const open = await startDevServer({ configPath });
  try {
    const { cp } = await checkpointOf(open, 1, undefined);
    assert.equal(cp.origin, 'test.example/ledger');
    assert.equal((await ledgerGet(open.address, 'tile/0/000.p/1')).status, 200);
    // Public reads: a full tile or bundle may be kept by any cache (2 records per request).
    for (let i = 0; i < 128; i++) await call(open.address, 'POST', `secret/data/p/${i}`, { token: open.rootToken, body: { data: { i } } });
    await checkpointOf(open, 256, undefined);
    for (const path of ['tile/0/000', 'tile/entries/000']) {
      const res = await ledgerGet(open.address, path);
      assert.equal(res.status, 200, path);
      assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable', path);
    }
    assert.equal((await ledgerGet(open.address, `proof/consistency?from=1&to=${cp.size}`)).status, 200);
  } finally {
    await open.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const off = await startDevServer({ journal: false });
  try {
    for (const path of ['checkpoint', 'key', 'tile/0/000', 'proof/inclusion?index=0&size=1']) {
      const res = await call(off.address, 'GET', `sys/ledger/${path}`, { token: off.rootToken });
      assert.equal(res.status, 404, path);
      assert.match(res.json.errors[0], /the ledger is off/);
    }
  } finally {
    await off.stop();
  }
  // ledger { enabled = false }: the journal alone, no ledger files.
  const bare = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-off-'));
  const offPath = join(bare, 'off.hcl');
  writeFileSync(offPath, 'ledger {\n  enabled = false\n}\n');
  const journalOnly = await startDevServer({ configPath: offPath, devDataDir: join(bare, 'data') });
  try {
    await call(journalOnly.address, 'POST', 'secret/data/x', { token: journalOnly.rootToken, body: { data: { x: 1 } } });
    const records = await call(journalOnly.address, 'GET', 'sys/journal/records?limit=5', { token: journalOnly.rootToken });
    assert.equal(records.status, 200);
    assert.ok(records.json.data.records.length > 0);
    const res = await call(journalOnly.address, 'GET', 'sys/ledger/checkpoint', { token: journalOnly.rootToken });
    assert.equal(res.status, 404);
    assert.match(res.json.errors[0], /ledger \{ enabled = false \}/);
    assert.equal(existsSync(join(bare, 'data', 'ledger')), false);
  } finally {
    await journalOnly.stop();
    rmSync(bare, { recursive: true, force: true });
  }
});

test('a checkpoint at most once per checkpoint_interval while records arrive, and one more at shutdown', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-interval-'));
  const configPath = join(dir, 'slow.hcl');
  writeFileSync(configPath, 'ledger {\n  checkpoint_interval = "1h"\n}\n');
  const s = await startDevServer({ configPath, devDataDir: join(dir, 'data') });
  try {
    const { cp: first, key } = await checkpointOf(s, 0);
    for (let i = 0; i < 10; i++) await call(s.address, 'POST', `secret/data/i${i}`, { token: s.rootToken, body: { data: { i } } });
    // The records are indexed (a query waits for that), so the ledger holds them; no checkpoint yet.
    assert.equal((await call(s.address, 'GET', 'sys/journal/records?limit=1', { token: s.rootToken })).status, 200);
    await new Promise((r) => setTimeout(r, 1500));
    const unchanged = await ledgerGet(s.address, 'checkpoint', s.rootToken);
    assert.equal(openSignedCheckpoint(unchanged.body.toString('utf8'), key).size, first.size, 'within the interval: the same checkpoint');
    await s.stop();
    const last = openSignedCheckpoint(readFileSync(join(dir, 'data', 'ledger', 'checkpoint'), 'utf8'), key);
    assert.ok(last.size >= first.size + 20, `the shutdown checkpoint covers the writes (${first.size} → ${last.size})`);
  } finally {
    await s.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('records `journal import` writes into the database while the server runs become leaves too', { timeout: 60_000 }, async () => {
  const s = await startDevServer();
  const importer = createJournalStore({ path: join(s.dir, 'journal.db') });
  try {
    const texts = Array.from({ length: 5 }, (_, i) => JSON.stringify({ imported: i, time: '2026-01-01T00:00:00Z' }));
    const outcome = (await importer.importBatch(texts.map((text, i) => ({ kind: 'vault-response', timeNs: 1_767_225_600_000_000_000n + BigInt(i), text, keys: {}, origin: { file: 'old.log', line: i + 1 } }))));
    assert.deepEqual(outcome, { added: 5, duplicates: 0 });
    const seqs = (await importer.query({ order: 'asc', limit: 10, imported: true })).map((r) => r.seq);
    assert.equal(seqs.length, 5);
    // No request meanwhile: the indexer takes them on its own (at its next commit, or its idle poll every second).
    const state = new Database(join(s.dir, 'journal.db'), { readonly: true });
    try {
      const size = state.prepare('SELECT size FROM ledger_state').pluck();
      for (let i = 0; i < 50 && Number(size.get() ?? 0) <= Math.max(...seqs); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(Number(size.get()) > Math.max(...seqs), 'the ledger holds the imported records');
    } finally {
      state.close();
    }
    const { cp } = await checkpointOf(s, Math.max(...seqs) + 1);
    const entries = await fetchEntries(s.address, cp.size, s.rootToken);
    assert.deepEqual(merkleRoot(entries.map(leafHash)), cp.root);
    assert.deepEqual(seqs.map((seq) => entries[seq].toString('utf8')), texts);
  } finally {
    await importer.close();
    await s.stop();
  }
});

test('the barrier keeps each log\'s last checkpoint: the same log rebuilt in place is not signed; a journal at a new path is a new log', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-witness-'));
  const data = join(dir, 'data');
  const health = async (s: TestServer) => (await call(s.address, 'GET', 'sys/health')).json as { ledger_failing?: boolean };
  const writeSome = async (s: TestServer, n: number) => {
    for (let i = 0; i < n; i++) await call(s.address, 'POST', `secret/data/w${i}`, { token: s.rootToken, body: { data: { i } } });
    await call(s.address, 'GET', 'sys/journal/records?limit=1', { token: s.rootToken });
  };
  try {
    let s = await startDevServer({ devDataDir: data });
    await writeSome(s, 5);
    await s.stop();
    assert.ok((s.ledger?.current()?.size ?? 0) > 5, 'a checkpoint of the first log');

    // Someone with the data directory but not the barrier: the journal and the ledger's files deleted in place.
    for (const f of ['journal.db', 'journal.db-wal', 'journal.db-shm']) rmSync(join(data, f), { force: true });
    rmSync(join(data, 'journal.db-spool'), { recursive: true, force: true });
    rmSync(join(data, 'ledger'), { recursive: true, force: true });
    s = await startDevServer({ devDataDir: data });
    try {
      await writeSome(s, 30);
      let failing = false;
      for (let i = 0; i < 100 && !failing; i++) {
        failing = (await health(s)).ledger_failing === true;
        if (!failing) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(failing, 'the rebuilt log does not extend the checkpoint the barrier kept: ledger_failing');
    } finally {
      await s.stop();
    }

    // The operator moves the journal to a new path: a new log, signed from its start.
    const configPath = join(dir, 'moved.hcl');
    writeFileSync(configPath, `journal {\n  path = "${join(dir, 'moved', 'journal.db')}"\n}\n`);
    s = await startDevServer({ devDataDir: data, configPath });
    try {
      await writeSome(s, 3);
      for (let i = 0; i < 100 && (s.ledger?.current()?.size ?? 0) < 3; i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok((s.ledger?.current()?.size ?? 0) >= 3, 'checkpoints of the new log');
      assert.notEqual((await health(s)).ledger_failing, true);
    } finally {
      await s.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
