/**
 * The quick start's install step: `npm start` and `npm test` run `npm ci` only when node_modules
 * is missing or differs from package-lock.json, and `npm start` builds only when dist/ is missing
 * or older than src/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildReason, installReason, type Lockfile } from '../../scripts/ensure-installed.mjs';

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

test('dist/ is built when missing or older than src/, and left alone otherwise', () => {
  assert.equal(buildReason(undefined, 1000), 'dist/ is missing');
  assert.equal(buildReason(1000, 2000), 'src/ changed after the last build');
  assert.equal(buildReason(2000, 1000), undefined);
  assert.equal(buildReason(2000, 2000), undefined);
});
