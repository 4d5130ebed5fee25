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

/** A table's second line: `|---|:--:|` and the like. */
const SEPARATOR = /^\|(\s*:?-+:?\s*\|)+\s*$/;

/**
 * `file:line` of each row whose cell count differs from its table's header, and of each table
 * whose second line is not a separator (rows cut off from their table by a blank line render as
 * a paragraph of pipes).
 */
export function misshapenRows(text: string, file: string): string[] {
  const found: string[] = [];
  let header: number | undefined;
  let row = 0;
  text.split('\n').forEach((line, i) => {
    if (!line.startsWith('|')) {
      header = undefined;
      return;
    }
    const cells = cellCount(line);
    row = header === undefined ? 0 : row + 1;
    if (header === undefined) header = cells;
    else if (cells !== header) found.push(`${file}:${i + 1}: ${cells} cells, the header has ${header}`);
    if (row === 1 && !SEPARATOR.test(line)) found.push(`${file}:${i}: a table without a header separator`);
  });
  return found;
}

test('a row with a cell too many is found', () => {
  assert.deepEqual(misshapenRows('| a | b |\n|---|---|\n| 1 | `x|y` |\n| 1 | 2 | 3 |\n\n| c |\n|---|\n', 'f.md'), ['f.md:4: 3 cells, the header has 2']);
});

test('rows cut off from their table by a blank line are found', () => {
  assert.deepEqual(misshapenRows('| a | b |\n|---|:-:|\n| 1 | 2 |\n\n| 3 | 4 |\n| 5 | 6 |\n', 'f.md'), ['f.md:5: a table without a header separator']);
});

test('every table in the README, BENCHMARKS.md and docs/ keeps its header\'s cell count', () => {
  const files = ['README.md', 'BENCHMARKS.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  assert.ok(files.length > 5);
  const found = files.flatMap((f) => misshapenRows(readFileSync(join(root, f), 'utf8'), f));
  assert.deepEqual(found, []);
});
