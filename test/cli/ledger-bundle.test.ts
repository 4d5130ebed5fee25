import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { directoryFetcher } from '../../src/cli/ledger-fetch.js';
import { runCli } from '../../src/cli/run.js';
import { MAX_BUNDLE_BYTES, MAX_KEY_FILE_BYTES } from '../../src/cli/input-limits.js';
import type { FetchLike } from '../../src/sdk/index.js';
import { memoryIo, runIn } from './harness.js';
import { bundleOf, fakeServer, logKey, ORIGIN, recordTexts, writeLog, type DirLog } from './ledger-fixture.js';

const KEY = logKey();

function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sealtrail-ledger-bundle-'));
  return fn(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

async function checkBundle(dir: string, bundle: unknown, key = KEY.vkey) {
  const file = join(dir, `bundle-${Math.random().toString(16).slice(2)}.json`);
  writeFileSync(file, typeof bundle === 'string' ? bundle : JSON.stringify(bundle));
  return runIn(['ledger', 'verify-bundle', file, '--key', key]);
}

test('verify-bundle: a good bundle passes; a changed record, proof hash, seq or checkpoint key fails with the reason', async () => {
  await withDir(async (dir) => {
    const records = recordTexts(300);
    const log = writeLog(join(dir, 'log'), records, KEY);
    const good = await bundleOf(log, records, 42);
    const ok = await checkBundle(dir, good);
    assert.equal(ok.stderr, '');
    assert.equal(ok.code, 0);
    assert.equal(ok.stdout, `OK: record seq 42 is entry 42 of ${ORIGIN} at tree size 300, root ${log.root.toString('base64')}\n`);

    const changed = await checkBundle(dir, { ...good, record: (good.record as string).replace('"r"', '"R"') });
    assert.equal(changed.code, 3);
    assert.equal(changed.stderr, 'FAILED: the record does not match entry 42 (the record was changed, or is not record seq 42)\n');

    const inclusion = good.inclusion as { index: number; size: number; hashes: string[] };
    const hash = Buffer.from(inclusion.hashes[3], 'base64');
    hash[0] ^= 1;
    const badProof = await checkBundle(dir, { ...good, inclusion: { ...inclusion, hashes: inclusion.hashes.map((h, i) => (i === 3 ? hash.toString('base64') : h)) } });
    assert.equal(badProof.code, 3);
    assert.equal(badProof.stderr, "FAILED: the inclusion proof of entry 42 does not lead to the checkpoint's root (a proof hash or the entry differs)\n");

    const short = await checkBundle(dir, { ...good, inclusion: { ...inclusion, hashes: inclusion.hashes.slice(1) } });
    assert.equal(short.stderr, 'FAILED: the inclusion proof of entry 42: proof does not verify: the proof is shorter than the path\n');

    const otherSeq = await checkBundle(dir, { ...good, seq: 43 });
    assert.equal(otherSeq.stderr, 'FAILED: the proof is for entry 42, record seq 43 is entry 43\n');

    // The same tree signed by another key of the same name: the signature is what fails.
    const impostor = logKey();
    const forged = writeLog(join(dir, 'forged'), records, impostor);
    const foreign = await checkBundle(dir, { ...good, checkpoint: forged.note });
    assert.equal(foreign.code, 3);
    assert.equal(foreign.stderr, `FAILED: the checkpoint does not verify with the key of ${ORIGIN}: the note has no signature by a known key\n`);
    // A checkpoint whose body was changed under the right key's signature line.
    const body = log.note.replace(/\n300\n/, '\n299\n');
    const tampered = await checkBundle(dir, { ...good, checkpoint: body });
    assert.equal(tampered.code, 3);
    assert.match(tampered.stderr, /^FAILED: the checkpoint does not verify with the key of sealtrail\.test\/ledger: the signature of sealtrail\.test\/ledger\+[0-9a-f]{8} does not verify\n$/);

    const notJson = await checkBundle(dir, '{"format":');
    assert.equal(notJson.stderr, 'FAILED: the bundle is not JSON\n');
    // Nesting is checked before the bundle is parsed: 60 MiB of [ held 2.8 GB in JSON.parse.
    for (const deep of [`{"format":${'['.repeat(65)}${']'.repeat(65)}}`, '['.repeat(60 * 1024 * 1024)]) {
      const nested = await checkBundle(dir, deep);
      assert.deepEqual([nested.code, nested.stderr], [3, 'FAILED: the bundle nests deeper than 64 levels (a proof bundle nests three)\n']);
    }
    const wrongFormat = await checkBundle(dir, { ...good, format: 'other/v1' });
    assert.equal(wrongFormat.stderr, 'FAILED: the bundle\'s format is not sealtrail-ledger-proof/v1\n');
    const missing = await runIn(['ledger', 'verify-bundle', join(dir, 'none.json'), '--key', KEY.vkey]);
    assert.deepEqual([missing.code, missing.stderr], [1, `sealtrail: ${join(dir, 'none.json')}: no such file or directory\n`]);
    const directory = await runIn(['ledger', 'verify-bundle', dir, '--key', KEY.vkey]);
    assert.deepEqual([directory.code, directory.stderr], [1, `sealtrail: ${dir}: illegal operation on a directory\n`]);
  });
});

test('prove (against a fake server): the bundle of a seq or a request verifies; a record changed in the journal is refused', async () => {
  await withDir(async (dir) => {
    let records = recordTexts(300);
    const log: DirLog = writeLog(join(dir, 'log'), records, KEY);
    const server = fakeServer(() => log, () => records, 'root-token', { 'req-1': 77 });
    const run = async (...argv: string[]) => {
      const io = memoryIo({ env: { VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 'root-token' } });
      const code = await runCli(argv, { ...io, fetch: server.fetch });
      return { code, stdout: io.out.join(''), stderr: io.err.join('') };
    };
    const checkpoint = await run('ledger', 'checkpoint');
    assert.equal(checkpoint.code, 0);
    assert.equal(checkpoint.stdout, log.note);

    const proved = await run('ledger', 'prove', '100');
    assert.equal(proved.stderr, '');
    assert.deepEqual(JSON.parse(proved.stdout), await bundleOf(log, records, 100));
    const file = join(dir, 'b.json');
    const byRequest = await run('ledger', 'prove', '--request-id', 'req-1', '-o', file);
    assert.equal(byRequest.stderr, `wrote the proof of record seq 77 (entry 77, tree size 300) to ${file}\n`);
    const checked = await runIn(['ledger', 'verify-bundle', file, '--key', KEY.vkey]);
    assert.equal(checked.stdout, `OK: record seq 77 is entry 77 of ${ORIGIN} at tree size 300, root ${log.root.toString('base64')}\n`);

    const absent = await run('ledger', 'prove', '300', '--wait', '0');
    assert.equal(absent.code, 2);
    assert.equal(absent.stderr, 'Error: no record with seq 300 in the journal\n');
    records = [...records, JSON.stringify({ seq: 300 })];
    const uncovered = await run('ledger', 'prove', '300', '--wait', '0');
    assert.equal(uncovered.code, 2);
    assert.equal(uncovered.stderr, 'Error: no checkpoint covers entry 300 after 0 s (latest: 300 entries)\n');
    // Seq 0, the first record, is asked for as after_seq=-1.
    const first = await run('ledger', 'prove', '0');
    assert.equal(first.stderr, '');
    assert.deepEqual(JSON.parse(first.stdout), await bundleOf(log, records, 0));
    const usage = await run('ledger', 'prove', '-5');
    assert.equal(usage.code, 1);
    assert.equal(usage.stderr, 'the record seq must be a non-negative integer\n');

    records = records.map((r, i) => (i === 100 ? r.replace('"r"', '"forged"') : r));
    const forged = await run('ledger', 'prove', '100');
    assert.equal(forged.code, 3);
    assert.equal(forged.stderr, "FAILED: record seq 100 does not lead to the checkpoint's root: the journal's record differs from entry 100, or the proof is wrong\n");
    // Every request carried the token: they all went to the server.
    assert.ok(server.seen.every((s) => s.token === 'root-token'));

    rmSync(join(log.dir, 'checkpoint'));
    const none = await run('ledger', 'checkpoint');
    assert.equal(none.code, 2);
    assert.equal(none.stderr, 'Error reading the checkpoint: not found (no checkpoint yet?)\n');
    const waited = await run('ledger', 'prove', '5', '--wait', '0');
    assert.equal(waited.code, 2);
    assert.equal(waited.stderr, 'Error: no checkpoint covers entry 5 after 0 s (latest: none)\n');
    const both = await run('ledger', 'prove', '5', '--request-id', 'req-1');
    assert.equal(both.stderr, 'give one of a record seq or --request-id\n');
  });
});

test('prove --request-id: a record the server answers for another request is refused, not proved', async () => {
  await withDir(async (dir) => {
    const records = recordTexts(300);
    const log: DirLog = writeLog(join(dir, 'log'), records, KEY);
    const server = fakeServer(() => log, () => records, 'root-token', { 'req-1': 77 });
    // A hostile server: asked for req-1, it answers record 77 as the record of another request.
    const hostile: FetchLike = async (input, init) => {
      const answer = await server.fetch(input, init);
      if (!new URL(input).searchParams.has('request_id')) return answer;
      const body = await answer.json() as { data: { records: { request_id?: string }[] } };
      for (const r of body.data.records) r.request_id = 'req-2';
      return new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const io = memoryIo({ env: { VAULT_ADDR: 'http://127.0.0.1:8200', VAULT_TOKEN: 'root-token' } });
    const code = await runCli(['ledger', 'prove', '--request-id', 'req-1'], { ...io, fetch: hostile });
    assert.equal(code, 2);
    assert.equal(io.out.join(''), '');
    assert.equal(io.err.join(''), 'Error: the server answered a record of another request (seq 77) for that request id\n');
  });
});

test('verify --url: a server address verifies the log and its journal; a changed record is named; a mirror gets no token', async () => {
  await withDir(async (dir) => {
    let records = recordTexts(300);
    const log = writeLog(join(dir, 'log'), records, KEY);
    const server = fakeServer(() => log, () => records, 'root-token', {}, 'log-only');
    const run = async (...argv: string[]) => {
      const io = memoryIo({ env: { VAULT_TOKEN: argv.includes('--log-only') ? 'log-only' : 'root-token' } });
      argv = argv.filter((a) => a !== '--log-only');
      const code = await runCli(argv, { ...io, fetch: server.fetch });
      return { code, stdout: io.out.join(''), stderr: io.err.join('') };
    };
    const ok = await run('ledger', 'verify', '--url', 'http://127.0.0.1:8200', '--key', KEY.vkey);
    assert.equal(ok.stderr, '');
    assert.equal(ok.stdout, `OK: ${ORIGIN} at tree size 300, root ${log.root.toString('base64')}: every entry and tile reproduces the signed root; 300 journal records match their entries\n`);
    records = records.map((r, i) => (i === 260 ? r.replace('"r"', '"forged"') : r));
    const changed = await run('ledger', 'verify', '--url', 'http://127.0.0.1:8200/', '--key', KEY.vkey);
    assert.equal(changed.code, 3);
    assert.equal(changed.stderr, "FAILED: entry 260: the journal's record seq 260 differs from its ledger entry\n");
    const logOnly = await run('ledger', 'verify', '--url', 'http://127.0.0.1:8200', '--key', KEY.vkey, '--skip-journal');
    assert.equal(logOnly.code, 0);
    // A token that may read the log but not the journal: the log is verified, the journal check is an error.
    const noJournal = await run('ledger', 'verify', '--url', 'http://127.0.0.1:8200', '--key', KEY.vkey, '--log-only');
    assert.equal(noJournal.code, 2);
    assert.equal(noJournal.stderr, 'Error: the log verified, but the journal could not be read: permission denied\n');
    assert.equal((await run('ledger', 'verify', '--url', 'http://127.0.0.1:8200', '--key', KEY.vkey, '--skip-journal', '--log-only')).code, 0);

    // A static copy at another prefix: no journal, and no token sent to it.
    const before = server.seen.length;
    const mirror = await run('ledger', 'verify', '--url', 'http://127.0.0.1:8200/mirror/', '--key', KEY.vkey);
    assert.equal(mirror.stderr, '');
    assert.equal(mirror.stdout, `OK: ${ORIGIN} at tree size 300, root ${log.root.toString('base64')}: every entry and tile reproduces the signed root\n`);
    assert.ok(server.seen.length > before);
    assert.ok(server.seen.slice(before).every((s) => s.token === undefined && s.url.startsWith('http://127.0.0.1:8200/mirror/')));
    const elsewhere = await run('ledger', 'verify', '--url', 'http://127.0.0.1:8200/v1/sys/ledger-copy', '--key', KEY.vkey);
    assert.equal(elsewhere.code, 2);
    assert.equal(elsewhere.stderr, 'Error reading checkpoint from http://127.0.0.1:8200/v1/sys/ledger-copy: HTTP 403: permission denied\n');
    // The token goes only to the configured server: not to another address named with --url.
    const io = memoryIo({ env: { VAULT_ADDR: 'http://127.0.0.1:9999', VAULT_TOKEN: 'root-token' } });
    const seenBefore = server.seen.length;
    const elsewhereCode = await runCli(['ledger', 'verify', '--url', 'http://127.0.0.1:8200/v1/sys/ledger', '--key', KEY.vkey], { ...io, fetch: server.fetch });
    assert.equal(elsewhereCode, 2);
    assert.equal(io.err.join(''), 'note: no token is sent to http://127.0.0.1:8200 (only to the configured server, http://127.0.0.1:9999: -address, SEALTRAIL_ADDR or VAULT_ADDR), so its journal is not compared\n'
      + 'Error reading checkpoint from http://127.0.0.1:8200/v1/sys/ledger: HTTP 403: permission denied\n');
    assert.deepEqual(server.seen.slice(seenBefore).map((r) => r.token), [undefined]);
    const badUrl = await run('ledger', 'verify', '--url', 'http://user:pw@127.0.0.1:8200', '--key', KEY.vkey);
    assert.equal(badUrl.code, 1);
    assert.equal(badUrl.stderr, '--url must be an http:// or https:// URL without a user name, password, query or fragment\n');
  });
});

test('verify --url: a bundle\'s records on pages cut short are read page after page; a server whose pages do not advance is an error, not a loop', async () => {
  await withDir(async (dir) => {
    const records = recordTexts(300);
    const log = writeLog(join(dir, 'log'), records, KEY);
    const server = fakeServer(() => log, () => records, 'root-token');
    // As the journal API past MAX_PAGE_CHARS of text: a page ends early (with after_seq, no cursor).
    let stuck = false;
    let deleted: number | undefined;
    const asked: string[] = [];
    const fetch: FetchLike = async (input, init) => {
      const url = new URL(input);
      if (url.pathname !== '/v1/sys/journal/records') return server.fetch(input, init);
      asked.push(url.searchParams.get('after_seq')!);
      // A server that ignores after_seq answers the first page again and again.
      if (stuck) url.searchParams.set('after_seq', '-1');
      const page = await (await server.fetch(url.toString(), init)).json() as { data: { records: { seq: number }[] } };
      const kept = page.data.records.filter((r) => r.seq !== deleted).slice(0, 100);
      return new Response(JSON.stringify({ data: { records: kept, next_cursor: null } }), { status: 200, headers: { 'Content-Type': 'application/json' } });
    };
    const run = async () => {
      const io = memoryIo({ env: { VAULT_TOKEN: 'root-token' } });
      const code = await runCli(['ledger', 'verify', '--url', 'http://127.0.0.1:8200', '--key', KEY.vkey], { ...io, fetch });
      return { code, stdout: io.out.join(''), stderr: io.err.join('') };
    };
    const ok = await run();
    assert.equal(ok.stderr, '');
    assert.equal(ok.stdout, `OK: ${ORIGIN} at tree size 300, root ${log.root.toString('base64')}: every entry and tile reproduces the signed root; 300 journal records match their entries\n`);
    assert.deepEqual(asked, ['-1', '99', '199', '255']);

    // A record past the first page that is not in the journal is still named.
    deleted = 150;
    const gone = await run();
    assert.equal(gone.code, 3);
    assert.equal(gone.stderr, 'FAILED: entry 150: record seq 150 is not in the journal (deleted, or removed by retention)\n');
    deleted = undefined;

    stuck = true;
    asked.length = 0;
    const looping = await run();
    assert.equal(looping.code, 2);
    assert.equal(looping.stderr, "Error: the log verified, but the journal could not be read: the journal's page of records after seq 99 holds none past it: a page that does not advance\n");
    assert.deepEqual(asked, ['-1', '99']);
  });
});

test('verify --url of a hostile server (node:http): a gzip bomb of [ as its journal page is refused unparsed; another host is not asked for its journal', async () => {
  await withDir(async (dir) => {
    const log = writeLog(join(dir, 'log'), recordTexts(300), KEY);
    // 50 MiB of [, 51 KB on the wire: JSON.parse held 2.9 GB for it before it failed.
    const bomb = gzipSync('['.repeat(50 * 1024 * 1024), { level: 9 });
    const asked: string[] = [];
    const server = createServer((req, res) => {
      const path = new URL(req.url ?? '/', 'http://x').pathname;
      asked.push(path);
      if (path === '/v1/sys/journal/records') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' }).end(bomb);
        return;
      }
      directoryFetcher(log.dir)(path.slice('/v1/sys/ledger/'.length)).then(
        (data) => res.writeHead(200).end(data),
        () => res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"errors":[]}'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const run = async (configured: string) => {
      const io = memoryIo({ env: { VAULT_ADDR: configured, VAULT_TOKEN: 'root-token' } });
      const code = await runCli(['ledger', 'verify', '--url', address, '--key', KEY.vkey], io);
      return { code, stdout: io.out.join(''), stderr: io.err.join('') };
    };
    try {
      const configured = await run(address);
      assert.equal(configured.stderr, "Error: the log verified, but the journal could not be read: the answer nests deeper than 2048 levels, which no Sealtrail server's does: not read\n");
      assert.equal(configured.code, 2);
      asked.length = 0;
      const elsewhere = await run('http://127.0.0.1:1');
      assert.equal(elsewhere.stderr, `note: no token is sent to ${address} (only to the configured server, http://127.0.0.1:1: -address, SEALTRAIL_ADDR or VAULT_ADDR), so its journal is not compared\n`);
      assert.equal(elsewhere.stdout, `OK: ${ORIGIN} at tree size 300, root ${log.root.toString('base64')}: every entry and tile reproduces the signed root\n`);
      assert.equal(elsewhere.code, 0);
      assert.ok(!asked.includes('/v1/sys/journal/records'));
    } finally {
      server.close();
    }
  });
});

test('verify-bundle and --key read a pipe, a FIFO, a device or stdin no further than their limits', async () => {
  await withDir(async (dir) => {
    // A FIFO has no size for stat to refuse: the bound holds while reading.
    const fifo = join(dir, 'bundle.pipe');
    execFileSync('mkfifo', [fifo]);
    // The writer fails with EPIPE once the reader stops and closes its end.
    const writing = writeFile(fifo, Buffer.alloc(MAX_BUNDLE_BYTES + 1, 0x20)).catch(() => undefined);
    const piped = await runIn(['ledger', 'verify-bundle', fifo, '--key', KEY.vkey]);
    await writing;
    assert.deepEqual([piped.code, piped.stderr], [1, `sealtrail: ${fifo}: larger than 64 MiB\n`]);

    const keyFifo = join(dir, 'key.pipe');
    execFileSync('mkfifo', [keyFifo]);
    const keyWriting = writeFile(keyFifo, Buffer.alloc(MAX_KEY_FILE_BYTES * 2, 0x41)).catch(() => undefined);
    const key = await runIn(['ledger', 'verify-bundle', '-', '--key', keyFifo], { stdin: '{}' });
    await keyWriting;
    assert.deepEqual([key.code, key.stderr], [1, `sealtrail: ${keyFifo}: larger than 4 KiB\n`]);

    // Stdin as it arrives: reading stops at the bound (the same MiB handed over again and again).
    let pulled = 0;
    const mib = Buffer.alloc(1024 * 1024, 0x20);
    const io = { ...memoryIo({ stdin: '' }), async *stdinChunks() { for (; pulled < 200; pulled++) yield mib; } };
    const code = await runCli(['ledger', 'verify-bundle', '-', '--key', KEY.vkey], io);
    assert.deepEqual([code, io.err.join('')], [1, 'sealtrail: standard input: larger than 64 MiB\n']);
    assert.ok(pulled <= MAX_BUNDLE_BYTES / mib.length + 1, `${pulled} MiB read`);

    for (const device of ['/dev/zero', '/dev/urandom']) {
      const endless = await runIn(['ledger', 'verify-bundle', device, '--key', KEY.vkey]);
      assert.deepEqual([endless.code, endless.stderr], [1, `sealtrail: ${device}: larger than 64 MiB\n`], device);
      const endlessKey = await runIn(['ledger', 'verify-bundle', '-', '--key', device], { stdin: '{}' });
      assert.deepEqual([endlessKey.code, endlessKey.stderr], [1, `sealtrail: ${device}: larger than 4 KiB\n`], device);
    }
  });
});

test('verify --url of a bare address that is no Sealtrail server (a copy served at its root) says how a copy is named', async () => {
  await withDir(async (dir) => {
    const log = writeLog(join(dir, 'log'), recordTexts(10), KEY);
    const server = createServer((req, res) => {
      directoryFetcher(log.dir)(new URL(req.url ?? '/', 'http://x').pathname.slice(1)).then(
        (data) => res.writeHead(200).end(data),
        () => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>404</h1>'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const run = await runIn(['ledger', 'verify', '--url', address, '--key', KEY.vkey], { env: { SEALTRAIL_ADDR: address } });
      assert.equal(run.code, 2);
      assert.equal(run.stderr, `Error reading checkpoint from ${address}/v1/sys/ledger: not found (the answer is not JSON: is this a Sealtrail server? `
        + 'An address without a path is read as a server\'s /v1/sys/ledger: give a copy of the log by its URL with a path, or read it with --dir)\n');
    } finally {
      server.close();
    }
  });
});
