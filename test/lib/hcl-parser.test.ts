import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { spawnWorker } from '../../src/lib/spawn-worker.js';
import { createHclParser, HclParseError, type HclParser } from '../../src/lib/hcl-parser.js';
import { faultParser } from './hcl-fault-parser.js';

async function outcome(parser: HclParser, text: string, timeoutMs = 5000): Promise<unknown> {
  try {
    return await parser.parse('x.hcl', text, { timeoutMs: text === 'hang' ? timeoutMs : 5000 });
  } catch (err) {
    assert.ok(err instanceof HclParseError, String(err));
    return { reason: err.reason, message: err.message };
  }
}

test('a text the worker never answers, dies over or is left unfit by is refused, and the next text is parsed by a fresh worker', async () => {
  const cases: Array<[text: string, expected: unknown, replaced: boolean]> = [
    ['hang', { reason: 'timeout', message: 'the HCL parser did not finish within 200 ms' }, true],
    ['exit', { reason: 'failed', message: 'the HCL parser stopped (exit code 7)' }, true],
    ['throw', { reason: 'failed', message: 'the HCL parser failed: boom' }, true],
    ['unfit', { reason: 'failed', message: 'the HCL parser failed: Maximum call stack size exceeded' }, true],
    ['invalid', { reason: 'invalid', message: 'parse config: [x.hcl:1,1-2: Argument or block definition required]' }, false],
  ];
  const { parser, started } = faultParser();
  try {
    assert.deepEqual(await outcome(parser, 'first'), { text: 'first' });
    for (const [text, expected, replaced] of cases) {
      const before = started();
      assert.deepEqual(await outcome(parser, text, 200), expected, text);
      assert.deepEqual(await outcome(parser, 'after'), { text: 'after' }, `the parse after "${text}"`);
      assert.equal(started() - before, replaced ? 1 : 0, `workers started over "${text}"`);
    }
  } finally {
    await parser.close();
  }
});

test('texts are parsed one at a time in order; one that hangs holds only itself', async () => {
  const { parser, started } = faultParser();
  try {
    const results = await Promise.all(['a', 'hang', 'b', 'exit', 'c'].map((text) => outcome(parser, text, 300)));
    assert.deepEqual(results, [
      { text: 'a' },
      { reason: 'timeout', message: 'the HCL parser did not finish within 300 ms' },
      { text: 'b' },
      { reason: 'failed', message: 'the HCL parser stopped (exit code 7)' },
      { text: 'c' },
    ]);
    assert.equal(started(), 3);
  } finally {
    await parser.close();
  }
});

test('a worker that never starts refuses the text at the startup bound', async () => {
  const parser = createHclParser({ startupMs: 200, spawn: () => spawnWorker(import.meta.url, 'hcl-parser-silent-worker', undefined) });
  try {
    assert.deepEqual(await outcome(parser, 'x'), { reason: 'failed', message: 'the HCL parser did not start within 200 ms' });
  } finally {
    await parser.close();
  }
});

test('closing refuses what waits', async () => {
  const { parser } = faultParser();
  const waiting = [outcome(parser, 'hang'), outcome(parser, 'a')];
  await parser.close();
  assert.deepEqual(await Promise.all(waiting), [
    { reason: 'failed', message: 'the HCL parser was closed' },
    { reason: 'failed', message: 'the HCL parser was closed' },
  ]);
});

test("HashiCorp's parser: a stack overflow is refused and the next text parses in a fresh runtime", async () => {
  const parser = createHclParser();
  try {
    assert.deepEqual(await outcome(parser, `x = ${'['.repeat(20_000)}`, 30_000), { reason: 'failed', message: 'the HCL parser failed: Maximum call stack size exceeded' });
    assert.deepEqual(await outcome(parser, 'x = 1', 30_000), { x: 1 });
    assert.deepEqual(
      await outcome(parser, 'x = ', 30_000),
      { reason: 'invalid', message: 'parse config: [x.hcl:1,5-5: Missing expression; Expected the start of an expression, but found the end of the file.]' },
    );
  } finally {
    await parser.close();
  }
});

test('the parser worker holds the process open while a parse waits, and not once it is idle', async () => {
  const script = `
    import { parseHcl } from './src/lib/hcl-parser.ts';
    console.log(JSON.stringify(await parseHcl('x.hcl', 'x = 1')));
    console.log(JSON.stringify(await parseHcl('x.hcl', 'y = 2')));`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url).pathname, stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.on('data', (chunk) => { stdout += chunk; });
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const [code, signal] = await once(child, 'exit');
  clearTimeout(timer);
  assert.deepEqual({ code, signal, stdout }, { code: 0, signal: null, stdout: '{"x":1}\n{"y":2}\n' });
});
