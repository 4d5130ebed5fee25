#!/usr/bin/env node
// Runs before `npm start` and `npm test`: installs dependencies only when node_modules is missing
// or does not match package-lock.json, and (with --build) builds dist/ only when it is missing or
// older than src/ or ui/. So each quick-start command works alone on a fresh clone, and running both, or
// running `npm test` right after `npm ci`, does not pay for a second native build.
// Usage: node scripts/ensure-installed.mjs [--build]
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Why node_modules must be (re)installed, or undefined when it matches the lockfile. `installed`
 * is npm's hidden lockfile (node_modules/.package-lock.json), which npm writes after every install:
 * each package it lists was installed at that version. Optional packages for other platforms are
 * absent from it by design; any other difference in names or versions means a stale install.
 */
export function installReason(lock, installed) {
  if (!installed) return 'node_modules is missing or was not installed by npm';
  const wanted = lock?.packages ?? {};
  const have = installed.packages ?? {};
  for (const [name, entry] of Object.entries(wanted)) {
    if (name === '' || entry.link) continue;
    const got = have[name];
    if (!got) {
      if (entry.optional) continue;
      return `${name} is not installed`;
    }
    if (got.version !== entry.version) return `${name} is ${got.version}, the lockfile wants ${entry.version}`;
  }
  for (const name of Object.keys(have)) {
    if (name !== '' && !(name in wanted)) return `${name} is installed but not in the lockfile`;
  }
  return undefined;
}

/**
 * Why dist/ must be built (newest file times in ms, undefined when the folder is missing or empty):
 * the server from src/, the console (dist/ui/) from ui/.
 */
export function buildReason(newestDistMs, newestSrcMs, newestUiMs, uiBuilt = true) {
  if (newestDistMs === undefined) return 'dist/ is missing';
  if (newestSrcMs !== undefined && newestSrcMs > newestDistMs) return 'src/ changed after the last build';
  if (!uiBuilt) return 'dist/ui/ (the console) is missing';
  if (newestUiMs !== undefined && newestUiMs > newestDistMs) return 'ui/ changed after the last build';
  return undefined;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return undefined;
    throw err;
  }
}

/** The newest modification time of any file under dir (bounded by the tree's size), or undefined. */
function newestMtime(dir) {
  let newest;
  let names;
  try { names = readdirSync(dir, { withFileTypes: true }); } catch { return undefined; }
  for (const entry of names) {
    const full = join(dir, entry.name);
    const t = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    if (t !== undefined && (newest === undefined || t > newest)) newest = t;
  }
  return newest;
}

function isLink(path) {
  try { return lstatSync(path).isSymbolicLink(); } catch { return false; }
}

function run(command, args, root) {
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

function main() {
  const root = new URL('..', import.meta.url).pathname;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const reason = installReason(readJson(join(root, 'package-lock.json')), readJson(join(root, 'node_modules', '.package-lock.json')));
  if (reason && isLink(join(root, 'node_modules'))) {
    // A linked node_modules is an install shared with other checkouts: npm ci would replace it for all.
    console.error(`ensure-installed: ${reason}; node_modules is a link to a shared install, so it is left as it is`);
  } else if (reason) {
    console.error(`ensure-installed: ${reason}; running npm ci`);
    // npm ci runs the `prepare` script, which builds dist/.
    run(npm, ['ci', '--no-audit', '--no-fund'], root);
  }
  if (process.argv.includes('--build')) {
    const why = buildReason(newestMtime(join(root, 'dist')), newestMtime(join(root, 'src')), newestMtime(join(root, 'ui')), existsSync(join(root, 'dist', 'ui', 'index.html')));
    if (why) {
      console.error(`ensure-installed: ${why}; running npm run build`);
      run(npm, ['run', 'build'], root);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
