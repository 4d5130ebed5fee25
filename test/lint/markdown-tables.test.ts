/**
 * Every Markdown table in the docs has as many cells on each row as in its header: a row with one
 * cell too many or too few still renders, shifted, and says something else than was meant.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The cells of a table row: `|`s outside code spans and not escaped. */
export function cellCount(row: string): number {
  return (row.replace(/`[^`]*`/g, '').match(/(?<!\\)\|/g) ?? []).length - 1;
}

/** `file:line` of each row whose cell count differs from its table's header. */
export function misshapenRows(text: string, file: string): string[] {
  const found: string[] = [];
  let header: number | undefined;
  text.split('\n').forEach((line, i) => {
    if (!line.startsWith('|')) {
      header = undefined;
      return;
    }
    const cells = cellCount(line);
    if (header === undefined) header = cells;
    else if (cells !== header) found.push(`${file}:${i + 1}: ${cells} cells, the header has ${header}`);
  });
  return found;
}

test('a row with a cell too many is found', () => {
  assert.deepEqual(misshapenRows('| a | b |\n|---|---|\n| 1 | `x|y` |\n| 1 | 2 | 3 |\n\n| c |\n|---|\n', 'f.md'), ['f.md:4: 3 cells, the header has 2']);
});

test('every table in the README, BENCHMARKS.md and docs/ keeps its header\'s cell count', () => {
  const files = ['README.md', 'BENCHMARKS.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  assert.ok(files.length > 5);
  const found = files.flatMap((f) => misshapenRows(readFileSync(join(root, f), 'utf8'), f));
  assert.deepEqual(found, []);
});
