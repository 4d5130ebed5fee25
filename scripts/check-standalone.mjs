#!/usr/bin/env node
// Fails when a tracked file reaches outside the repository for its data: a user's clone has
// nothing beside it, so every fixture lives under test/fixtures/.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
// Built from parts so this file does not match itself.
const outside = new RegExp(['\\.\\.', 'shared'].join('/') + '|' + ['shared', 'fixtures'].join('/'));

let files;
try {
  files = execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
} catch {
  console.error('check-standalone: not a git checkout; skipped');
  process.exit(0);
}
const hits = [];
for (const file of files) {
  if (file === 'package-lock.json') continue;
  let text;
  try { text = readFileSync(root + file, 'utf8'); } catch { continue; }
  text.split('\n').forEach((line, i) => { if (outside.test(line)) hits.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`); });
}
if (hits.length > 0) {
  console.error('check-standalone: tracked files reference data outside the repository:\n' + hits.join('\n'));
  process.exit(1);
}
console.log(`check-standalone: ${files.length} tracked files, none reaches outside the repository`);
