/**
 * The quick start's install step: `npm start` and `npm test` run `npm ci` only when node_modules
 * is missing or differs from package-lock.json, and `npm start` builds only when dist/ is missing
 * or older than src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, renameSync, symlinkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReason, installReason, type Lockfile } from '../../scripts/ensure-installed.mjs';

const root = new URL('../../', import.meta.url).pathname;

const lock: Lockfile = {
  packages: {
    '': { version: '0.1.0' },
    'node_modules/fastify': { version: '5.12.8' },
    'node_modules/better-sqlite3': { version: '12.11.1' },
    'node_modules/@esbuild/darwin-arm64': { version: '0.25.0', optional: true },
    'node_modules/fsevents': { version: '2.3.3', optional: true },
  },
};
/** What npm writes after installing that lockfile on Linux: no root entry, no other platforms' packages. */
const installed: Lockfile = {
  packages: {
    'node_modules/fastify': { version: '5.12.8' },
    'node_modules/better-sqlite3': { version: '12.11.1' },
  },
};

test('a matching install needs nothing, whatever other platforms\' optional packages are missing', () => {
  assert.equal(installReason(lock, installed), undefined);
});

test('no node_modules (no hidden lockfile) installs', () => {
  assert.equal(installReason(lock, undefined), 'node_modules is missing or was not installed by npm');
});

test('a changed version, a new dependency or a removed one installs', () => {
  const bumped = { packages: { ...lock.packages, 'node_modules/fastify': { version: '5.13.0' } } };
  assert.equal(installReason(bumped, installed), 'node_modules/fastify is 5.12.8, the lockfile wants 5.13.0');
  const added = { packages: { ...lock.packages, 'node_modules/pino': { version: '9.14.0' } } };
  assert.equal(installReason(added, installed), 'node_modules/pino is not installed');
  const { ['node_modules/better-sqlite3']: _removed, ...rest } = lock.packages!;
  assert.equal(installReason({ packages: rest }, installed), 'node_modules/better-sqlite3 is installed but not in the lockfile');
});

test('an optional package that is installed must still match its locked version', () => {
  const withOptional = { packages: { ...installed.packages, 'node_modules/fsevents': { version: '2.3.2' } } };
  assert.equal(installReason(lock, withOptional), 'node_modules/fsevents is 2.3.2, the lockfile wants 2.3.3');
  const matching = { packages: { ...installed.packages, 'node_modules/fsevents': { version: '2.3.3' } } };
  assert.equal(installReason(lock, matching), undefined);
});

test('dist/ is built when missing or older than src/ or ui/, and left alone otherwise', () => {
  assert.equal(buildReason(undefined, 1000), 'dist/ is missing');
  assert.equal(buildReason(1000, 2000), 'src/ changed after the last build');
  assert.equal(buildReason(2000, 1000), undefined);
  assert.equal(buildReason(2000, 2000), undefined);
  assert.equal(buildReason(2000, 1000, 3000), 'ui/ changed after the last build');
  assert.equal(buildReason(2000, 1000, 1000, false), 'dist/ui/ (the console) is missing');
  assert.equal(buildReason(2000, 1000, 1000, true), undefined);
});

test('package.json runs the check before start (with the build) and before test', () => {
  const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts;
  assert.equal(scripts.prestart, 'node scripts/ensure-installed.mjs --build');
  assert.equal(scripts.pretest, 'node scripts/ensure-installed.mjs');
});

/** Runs the script in a scratch project whose `npm` only records its arguments. */
function runScript(project: string, args: string[]): Promise<{ code: number | null; npmCalls: string[]; stderr: string }> {
  return new Promise((resolve) => {
    const env = { PATH: `${join(project, 'fake-bin')}:${process.env.PATH}`, HOME: project };
    execFile(process.execPath, [join(project, 'scripts', 'ensure-installed.mjs'), ...args], { cwd: project, env, timeout: 10_000 }, (err, _stdout, stderr) => {
      let calls: string[] = [];
      try { calls = readFileSync(join(project, 'npm-calls'), 'utf8').trim().split('\n').filter(Boolean); } catch { /* none */ }
      rmSync(join(project, 'npm-calls'), { force: true });
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, npmCalls: calls, stderr });
    });
  });
}

test('in a project: npm ci only without a matching node_modules, npm run build only for a stale dist/', async () => {
  const project = mkdtempSync(join(tmpdir(), 'sealtrail-ensure-'));
  try {
    mkdirSync(join(project, 'scripts'));
    mkdirSync(join(project, 'fake-bin'));
    mkdirSync(join(project, 'src'));
    copyFileSync(join(root, 'scripts', 'ensure-installed.mjs'), join(project, 'scripts', 'ensure-installed.mjs'));
    writeFileSync(join(project, 'fake-bin', 'npm'), `#!/bin/sh\necho "$*" >> "${join(project, 'npm-calls')}"\n`);
    chmodSync(join(project, 'fake-bin', 'npm'), 0o755);
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(lock));
    writeFileSync(join(project, 'src', 'a.ts'), 'export {};\n');

    // A fresh clone: no node_modules, no dist/.
    assert.deepEqual((await runScript(project, ['--build'])).npmCalls, ['ci --no-audit --no-fund', 'run build']);
    // After an install: nothing for test; start still builds the missing dist/.
    mkdirSync(join(project, 'node_modules'));
    writeFileSync(join(project, 'node_modules', '.package-lock.json'), JSON.stringify(installed));
    assert.deepEqual((await runScript(project, [])).npmCalls, []);
    assert.deepEqual((await runScript(project, ['--build'])).npmCalls, ['run build']);
    // A built dist/ newer than src/: nothing at all; src/ edited after it: a build only.
    mkdirSync(join(project, 'dist', 'ui'), { recursive: true });
    writeFileSync(join(project, 'dist', 'a.js'), 'export {};\n');
    writeFileSync(join(project, 'dist', 'ui', 'index.html'), '<!doctype html>\n');
    utimesSync(join(project, 'src', 'a.ts'), new Date(1_000_000), new Date(1_000_000));
    assert.deepEqual((await runScript(project, ['--build'])).npmCalls, []);
    utimesSync(join(project, 'src', 'a.ts'), new Date(), new Date(Date.now() + 60_000));
    const stale = await runScript(project, ['--build']);
    assert.deepEqual(stale.npmCalls, ['run build']);
    assert.match(stale.stderr, /src\/ changed after the last build/);
    // A lockfile that moved on: reinstall.
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify({ packages: { ...lock.packages, 'node_modules/pino': { version: '9.14.0' } } }));
    assert.deepEqual((await runScript(project, [])).npmCalls, ['ci --no-audit --no-fund']);
    // A node_modules linked to an install shared with other checkouts is never replaced.
    renameSync(join(project, 'node_modules'), join(project, 'shared-install'));
    symlinkSync(join(project, 'shared-install'), join(project, 'node_modules'));
    const linked = await runScript(project, []);
    assert.deepEqual(linked.npmCalls, []);
    assert.match(linked.stderr, /node_modules\/pino is not installed; node_modules is a link to a shared install/);
  } finally {
    rmSync(project, { recursive: true, force: true });
  }
});
