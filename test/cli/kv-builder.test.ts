/** key=value parsing with vault's kv-builder rules. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SealtrailError } from '../../src/errors/index.js';
import { CliExit, EXIT_LOCAL } from '../../src/cli/failure.js';
import { parseKeyValueArgs, parseStringMap } from '../../src/cli/kv-builder.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sealtrail-kvb-'));
  await writeFile(join(dir, 'pw.txt'), 'from-file\n');
  await writeFile(join(dir, 'obj.json'), '{"a":"1","n":2}');
});
after(() => rm(dir, { recursive: true, force: true }));

const sources = (stdin = '') => ({ async *stdinChunks() { yield Buffer.from(stdin, 'utf8'); } });

test('pairs, repeated keys, "=" in values, empty values', async () => {
  assert.deepEqual(await parseKeyValueArgs(['a=1', 'b=x=y', 'a=2', 'a=3', 'e=', ''], sources()), { a: ['1', '2', '3'], b: 'x=y', e: '' });
});

test('key=@file reads the file verbatim; key=\\@x is the literal @x', async () => {
  assert.deepEqual(await parseKeyValueArgs([`pw=@${join(dir, 'pw.txt')}`, 'lit=\\@home'], sources()), { pw: 'from-file\n', lit: '@home' });
});

test('key=- reads stdin; "-" merges a JSON object from stdin; @file merges a JSON file', async () => {
  assert.deepEqual(await parseKeyValueArgs(['k=-'], sources('raw value')), { k: 'raw value' });
  assert.deepEqual(await parseKeyValueArgs(['x=0', '-'], sources('{"y":{"z":true}}')), { x: '0', y: { z: true } });
  assert.deepEqual(await parseKeyValueArgs([`@${join(dir, 'obj.json')}`], sources()), { a: '1', n: 2 });
});

const invalidCases: Array<[string, string[], string, string]> = [
  ['not key=value', ['justaword'], '', 'invalid key/value pair "justaword": format must be key=value'],
  ['stdin twice', ['a=-', 'b=-'], 'x', 'stdin already consumed: "-" may be used once'],
  ['stdin not JSON', ['-'], 'not json', 'failed to parse JSON from stdin: not valid JSON'],
  ['stdin JSON not an object', ['-'], '[1]', 'failed to parse JSON from stdin: expected a JSON object'],
];
for (const [name, args, stdin, message] of invalidCases) {
  test(`invalid: ${name}`, async () => {
    await assert.rejects(parseKeyValueArgs(args, sources(stdin)), (e: unknown) =>
      e instanceof SealtrailError && e.kind === 'invalid' && e.message === message);
  });
}

test('a missing file or a directory ends the command in one line naming it, exit 1', async () => {
  for (const [arg, path, reason] of [
    ['k=@/nonexistent/file', '/nonexistent/file', 'no such file or directory'],
    ['@/nonexistent/obj.json', '/nonexistent/obj.json', 'no such file or directory'],
    [`k=@${dir}`, dir, 'illegal operation on a directory'],
  ]) {
    await assert.rejects(parseKeyValueArgs([arg], sources()), (e: unknown) =>
      e instanceof CliExit && e.exitCode === EXIT_LOCAL && e.message === `sealtrail: ${path}: ${reason}`, arg);
  }
});

test('string maps refuse lists and objects', async () => {
  assert.deepEqual(await parseStringMap(['file_path=/tmp/a.log', 'mode=0600'], sources()), { file_path: '/tmp/a.log', mode: '0600' });
  await assert.rejects(parseStringMap(['a=1', 'a=2'], sources()), /value of "a" must be a single string/);
});
