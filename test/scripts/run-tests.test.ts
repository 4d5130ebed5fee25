/**
 * scripts/run-tests.mjs (what `npm test` runs) gives the tests umask 022 whatever the caller's: a CI
 * runner's 000 made every configuration file a test writes writable by any user, which the server
 * rightly refuses, and a hardened 077 changed the modes of the files the server creates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';

const root = new URL('../../', import.meta.url).pathname;

function runUnder(umask: string, file: string): Promise<{ code: number; output: string }> {
  // Without the variable that marks a process as one of this runner's test files, or it runs none.
  const env = { ...process.env };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    execFile('sh', ['-c', `umask ${umask} && exec "$0" scripts/run-tests.mjs "$1"`, process.execPath, file], { cwd: root, env, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
  });
}

test('the suite runs under umask 022 whatever umask the runner was started with', async () => {
  for (const [umask, file] of [['000', 'test/config/config-file-read.test.ts'], ['077', 'test/app/pid-file.test.ts']]) {
    const run = await runUnder(umask, file);
    assert.equal(run.code, 0, `umask ${umask}, ${file}:\n${run.output.slice(-3000)}`);
  }
});
