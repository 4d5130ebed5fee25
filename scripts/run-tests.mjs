#!/usr/bin/env node
// Runs every test file under test/ and src/ with Node's test runner (through tsx).
// Node 20 does not expand globs, so the list is built here and passed explicitly; a run that
// collects no file, or whose runner reports no test, fails instead of passing silently.
// Usage: node scripts/run-tests.mjs [substring filter ...]
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function collect(dir, out) {
  let names;
  try { names = readdirSync(dir); } catch { return out; }
  for (const name of names) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const files = [...collect(join(root, 'test'), []), ...collect(join(root, 'src'), [])]
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no test files collected' + (filters.length ? ` for ${filters.join(', ')}` : ''));
  process.exit(1);
}
console.log(`run-tests: ${files.length} file(s)`);

// The tests write configuration and key files as an operator would, so they run under the usual
// umask whatever the caller's: under 000 (some CI runners) every such file is writable by any user,
// which the server refuses, and under 077 the files the server creates get other modes.
process.umask(0o022);

// A test file that hangs fails after 10 minutes instead of holding CI to its limit.
const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-timeout=600000', ...files], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
});
let tail = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  tail = (tail + chunk.toString()).slice(-4000);
});
child.on('close', (code) => {
  const m = /ℹ tests (\d+)/.exec(tail);
  if (code === 0 && (!m || Number(m[1]) === 0)) {
    console.error('run-tests: the runner reported no test executed');
    process.exit(1);
  }
  process.exit(code ?? 1);
});
