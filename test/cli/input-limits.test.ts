/**
 * Every file or stdin the CLI reads is read no further than its bound (src/cli/input-limits.ts):
 * over it, or endless (/dev/zero, a FIFO, a pipe), the command ends promptly with one line naming
 * the input and the bound, exit 1, and sends nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CliExit, EXIT_LOCAL } from '../../src/cli/failure.js';
import {
  formatLimit, MAX_CERTIFICATE_FILE_BYTES, MAX_EVIDENCE_FILE_BYTES, MAX_REQUEST_INPUT_BYTES, MAX_REQUEST_INPUT_DEPTH, MAX_TOKEN_INPUT_BYTES,
  MAX_UNSEAL_KEY_INPUT_BYTES, readFileUpTo, readInput, readStdin,
} from '../../src/cli/input-limits.js';
import { MAX_CRLS, MAX_SUPPLIED_CERTIFICATES } from '../../src/attestation/index.js';
import { SealtrailError } from '../../src/errors/index.js';
import { memoryIo, runIn, useFakeVault } from './harness.js';
import { runCli } from '../../src/cli/run.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const MAIN = join(ROOT, 'src/cli/main.ts');
/** Far below what reading /dev/zero unbounded takes (gigabytes, then a crash), with room for a loaded machine. */
const PROMPT_MS = 20_000;

const vault = useFakeVault('sealtrail-input-limits-');
const { run } = vault;
const over = (name: string, limit: number) => `sealtrail: ${name}: larger than ${formatLimit(limit)}\n`;
const stdinOf = (text: string) => ({ async *stdinChunks() { yield Buffer.from(text); } });

/** Stdin that never ends: the same chunk again and again, counting the chunks taken. */
function endlessStdin(chunk = Buffer.alloc(1024 * 1024, 0x61)) {
  const state = { pulled: 0, bytes: chunk.length };
  return Object.assign(state, {
    async *stdinChunks() {
      for (;;) {
        state.pulled++;
        yield chunk;
      }
    },
  });
}

test('the reader: a file or stdin of exactly the limit is read; one byte more is refused', async () => {
  const at = join(vault.home, 'at.txt');
  await writeFile(at, 'x'.repeat(100));
  assert.equal((await readFileUpTo(at, 100)).length, 100);
  await assert.rejects(readFileUpTo(at, 99), (e: unknown) => e instanceof SealtrailError && e.kind === 'invalid' && e.message === `sealtrail: ${at}: larger than 99 bytes`);
  assert.equal((await readInput(stdinOf('y'.repeat(100)), '-', 100)).toString(), 'y'.repeat(100));
  await assert.rejects(readInput(stdinOf('y'.repeat(101)), '-', 100), { message: 'sealtrail: standard input: larger than 100 bytes' });
  // The bound holds across chunks, and no chunk is taken after the one that passes it.
  const endless = endlessStdin(Buffer.alloc(10));
  await assert.rejects(readStdin(endless, 95), { message: 'sealtrail: standard input: larger than 95 bytes' });
  assert.equal(endless.pulled, 10);
});

test('the reader: a FIFO fed without end and /dev/zero are refused at the limit', async () => {
  const fifo = join(vault.home, 'endless.pipe');
  execFileSync('mkfifo', [fifo]);
  // The writer fails with EPIPE once the reader stops and closes its end.
  const writing = writeFile(fifo, Buffer.alloc(8 * 1024 * 1024, 0x41)).catch(() => undefined);
  await assert.rejects(readFileUpTo(fifo, 64 * 1024), { message: `sealtrail: ${fifo}: larger than 64 KiB` });
  await writing;
  await assert.rejects(readFileUpTo('/dev/zero', 1024 * 1024), { message: 'sealtrail: /dev/zero: larger than 1 MiB' });
});

test('the reader: a missing file, a directory and a file it may not read are one line naming the file', async () => {
  const missing = join(vault.home, 'none', 'policy.hcl');
  await assert.rejects(readFileUpTo(missing, 10), (e: unknown) => e instanceof CliExit && e.exitCode === EXIT_LOCAL && e.message === `sealtrail: ${missing}: no such file or directory`);
  await assert.rejects(readFileUpTo(vault.home, 10), { message: `sealtrail: ${vault.home}: illegal operation on a directory` });
  if (process.getuid?.() !== 0) {
    const locked = join(vault.home, 'locked.txt');
    await writeFile(locked, 'secret', { mode: 0o000 });
    await assert.rejects(readFileUpTo(locked, 10), { message: `sealtrail: ${locked}: permission denied` });
  }
});

test('limits are shown in the units they are written in', () => {
  assert.deepEqual([formatLimit(32 * 1024 * 1024), formatLimit(64 * 1024), formatLimit(65_537)], ['32 MiB', '64 KiB', '65,537 bytes']);
});

test('key=@file, @file, a policy file and capsule files over their bound are refused unread, and nothing is sent', async () => {
  const big = join(vault.home, 'big.json');
  await writeFile(big, '');
  await truncate(big, MAX_REQUEST_INPUT_BYTES + 1); // sparse: refused on its size, never read
  for (const argv of [
    ['write', 'secret/x', `k=@${big}`],
    ['kv', 'put', 'secret/x', `@${big}`],
    ['policy', 'write', 'p', big],
    ['capsule', 'encapsulate', '--file', big],
    ['capsule', 'load', `@${big}`],
    ['capsule', 'write-context', 'write', 'c', big],
    ['audit', 'enable', 'file', `file_path=@${big}`],
  ]) {
    const r = await run(argv);
    assert.deepEqual([r.code, r.stderr, r.stdout], [1, over(big, MAX_REQUEST_INPUT_BYTES), ''], argv.join(' '));
  }
  assert.equal(vault.fake.requests.length, 0);
});

test('JSON for a request nested deeper than a server takes is refused before it is parsed, and nothing is sent', async () => {
  assert.equal(MAX_REQUEST_INPUT_DEPTH, 64);
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  // Valid JSON one level too deep, and 30 MiB of [ (JSON.parse held 1.5 GB for it).
  const tooDeep = `{"a":${nested(MAX_REQUEST_INPUT_DEPTH)}}`;
  const bomb = '['.repeat(30 * 1024 * 1024);
  const file = join(vault.home, 'deep.json');
  const deeper = `nested deeper than ${MAX_REQUEST_INPUT_DEPTH} levels, more than a server takes (max_request_json_depth)`;
  for (const text of [tooDeep, bomb]) {
    await writeFile(file, text);
    const cases: Array<[string[], string]> = [
      [['write', 'secret/data/x', '-'], `failed to parse JSON from stdin: ${deeper}`],
      [['kv', 'put', 'secret/x', `@${file}`], `failed to parse JSON from ${file}: ${deeper}`],
      [['capsule', 'encapsulate', '--file', file], `--file ${file} is ${deeper}`],
      [['capsule', 'write-context', 'write', 'c', '-'], `- is ${deeper}`],
    ];
    for (const [argv, message] of cases) {
      const r = await run(argv, { stdin: text });
      assert.deepEqual([r.code, r.stderr, r.stdout], [1, `${message}\n`, ''], argv.join(' '));
    }
  }
  assert.equal(vault.fake.requests.length, 0);
  // As deep as a server takes is sent.
  vault.fake.routes['POST /v1/secret/data/x'] = { status: 204 };
  const deepest = await run(['write', 'secret/data/x', '-'], { stdin: `{"a":${nested(MAX_REQUEST_INPUT_DEPTH - 1)}}` });
  assert.deepEqual([deepest.code, deepest.stderr], [0, '']);
  assert.equal(vault.fake.requests.length, 1);
  vault.fake.requests.length = 0;
});

test('/dev/zero as any input file ends promptly with one line', { timeout: 4 * PROMPT_MS }, async () => {
  const cases: Array<[string[], number]> = [
    [['write', 'secret/x', 'k=@/dev/zero'], MAX_REQUEST_INPUT_BYTES],
    [['write', 'secret/x', '@/dev/zero'], MAX_REQUEST_INPUT_BYTES],
    [['policy', 'write', 'p', '/dev/zero'], MAX_REQUEST_INPUT_BYTES],
    [['capsule', 'load', '@/dev/zero'], MAX_REQUEST_INPUT_BYTES],
    [['attest', 'verify', '/dev/zero'], MAX_EVIDENCE_FILE_BYTES],
    [['attest', 'verify', '--platform', 'snp', '--cert', '/dev/zero', '/dev/null'], MAX_CERTIFICATE_FILE_BYTES],
    [['attest', 'verify', '--root', '/dev/zero', '/dev/null'], MAX_CERTIFICATE_FILE_BYTES],
  ];
  for (const [argv, limit] of cases) {
    const started = Date.now();
    const r = await run(argv);
    assert.deepEqual([r.code, r.stderr, r.stdout], [1, over('/dev/zero', limit), ''], argv.join(' '));
    assert.ok(Date.now() - started < PROMPT_MS, `${argv.join(' ')}: ${Date.now() - started} ms`);
  }
  assert.equal(vault.fake.requests.length, 0);
});

test('stdin without end (key=-, -, policy, capsule, login, unseal) is refused at its bound, read no further', async () => {
  const cases: Array<[string[], number]> = [
    [['write', 'secret/x', 'k=-'], MAX_REQUEST_INPUT_BYTES],
    [['kv', 'put', 'secret/x', '-'], MAX_REQUEST_INPUT_BYTES],
    [['policy', 'write', 'p', '-'], MAX_REQUEST_INPUT_BYTES],
    [['capsule', 'write-context', 'write', 'c', '-'], MAX_REQUEST_INPUT_BYTES],
    [['login', '-'], MAX_TOKEN_INPUT_BYTES],
    [['operator', 'unseal'], MAX_UNSEAL_KEY_INPUT_BYTES],
  ];
  for (const [argv, limit] of cases) {
    const stdin = endlessStdin(Buffer.alloc(64 * 1024, 0x61));
    const io = { ...memoryIo({ env: { SEALTRAIL_ADDR: vault.fake.address, SEALTRAIL_TOKEN: 'tok-root' }, homeDir: vault.home }), stdinIsTty: false, stdinChunks: stdin.stdinChunks };
    const code = await runCli(argv, io);
    assert.deepEqual([code, io.err.join(''), io.out.join('')], [1, over('standard input', limit), ''], argv.join(' '));
    assert.equal(stdin.pulled, Math.floor(limit / stdin.bytes) + 1, argv.join(' '));
  }
  assert.equal(vault.fake.requests.length, 0);
});

test('login: a token of exactly 16 KiB on stdin is read and sent; one byte more is refused unsent', async () => {
  // A request's headers together end at 16 KiB (Node's default), so the server refuses a token
  // this long itself (431): the CLI's bound refuses only what no server could take.
  const token = 't'.repeat(MAX_TOKEN_INPUT_BYTES - 1);
  const home = join(vault.home, 'login-home');
  await mkdir(home, { recursive: true });
  const at = await runIn(['login', '-'], { homeDir: home, stdin: `${token}\n`, env: { SEALTRAIL_ADDR: vault.fake.address } });
  assert.deepEqual([at.code, at.stderr], [2, 'Error authenticating: HTTP 431\n']);
  const over16 = await runIn(['login', '-'], { homeDir: home, stdin: `${token}xy`, env: { SEALTRAIL_ADDR: vault.fake.address } });
  assert.deepEqual([over16.code, over16.stderr], [1, over('standard input', MAX_TOKEN_INPUT_BYTES)]);
  assert.equal(vault.fake.requests.length, 0);
});

test('attest verify: evidence of exactly the limit reaches the verifier; one byte more is refused', async () => {
  const evidence = join(vault.home, 'evidence.bin');
  await writeFile(evidence, Buffer.alloc(MAX_EVIDENCE_FILE_BYTES, 0xff));
  const at = await run(['attest', 'verify', '--platform', 'nitro', evidence]);
  assert.equal(at.code, 1);
  assert.match(at.stderr, /^Verification failed \(malformed\): .*\n$/);
  await writeFile(evidence, Buffer.alloc(MAX_EVIDENCE_FILE_BYTES + 1, 0xff));
  const above = await run(['attest', 'verify', '--platform', 'nitro', evidence]);
  assert.deepEqual([above.code, above.stderr], [1, over(evidence, MAX_EVIDENCE_FILE_BYTES)]);
});

test('attest verify takes --cert and --crl no more times than the verifier takes certificates and CRLs, and reads none then', async () => {
  const nine = (flag: string) => Array.from({ length: 9 }, () => [flag, '/dev/zero']).flat();
  const certs = await run(['attest', 'verify', '--platform', 'snp', ...nine('--cert'), '/dev/null']);
  assert.deepEqual([certs.code, certs.stderr], [1, `--cert may be given at most ${MAX_SUPPLIED_CERTIFICATES} times\n`]);
  const crls = await run(['attest', 'verify', '--platform', 'snp', ...nine('--crl'), '/dev/null']);
  assert.deepEqual([crls.code, crls.stderr], [1, `--crl may be given at most ${MAX_CRLS} times\n`]);
});

test('a missing policy, key=@ or evidence file is one line naming it, without a stack trace', async () => {
  const missing = join(vault.home, 'absent', 'policy.hcl');
  for (const argv of [['policy', 'write', 'p', missing], ['write', 'secret/x', `k=@${missing}`], ['kv', 'put', 'secret/x', `@${missing}`], ['operator', 'diagnose', `-config=${missing}`]]) {
    const r = await run(argv);
    assert.deepEqual([r.code, r.stderr], [1, `sealtrail: ${missing}: no such file or directory\n`], argv.join(' '));
  }
  assert.equal(vault.fake.requests.length, 0);
});

/** The built command as a process: its stdin fed without end until it stops reading. */
function spawnFed(args: string[]): Promise<{ code: number | null; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
      cwd: ROOT,
      env: { ...process.env, SEALTRAIL_ADDR: vault.fake.address, SEALTRAIL_TOKEN: 'tok-root', HOME: vault.home },
      stdio: ['pipe', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    const feed = () => {
      while (!child.stdin.destroyed && child.stdin.write(chunk));
    };
    child.stdin.on('drain', feed);
    child.stdin.on('error', () => undefined); // EPIPE once the command stops reading
    feed();
    const timer = setTimeout(() => child.kill('SIGKILL'), 3 * PROMPT_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr, ms: Date.now() - started });
    });
  });
}

test('as a process: an endless pipe on stdin, or @/dev/zero, ends the command with exit 1 and one line', { timeout: 8 * PROMPT_MS }, async () => {
  const piped = await spawnFed(['policy', 'write', 'p', '-']);
  assert.deepEqual([piped.code, piped.stderr], [1, over('standard input', MAX_REQUEST_INPUT_BYTES)]);
  assert.ok(piped.ms < 2 * PROMPT_MS, `${piped.ms} ms`);
  const zero = await spawnFed(['write', 'secret/x', 'k=@/dev/zero']);
  assert.deepEqual([zero.code, zero.stderr], [1, over('/dev/zero', MAX_REQUEST_INPUT_BYTES)]);
  assert.ok(zero.ms < 2 * PROMPT_MS, `${zero.ms} ms`);
  assert.equal(vault.fake.requests.length, 0);
});
