/**
 * A full disk never leaves a torn line: on a real 1 MiB tmpfs, batches that fail part-way are cut
 * from the file, and once space is freed every line of the audit file(s) parses and holds every
 * acknowledged entry — with plain appends, durable mode, and size rotation.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createFileSink } from '../../../src/audit/devices/file/index.js';
import { listRotated } from '../../../src/audit/devices/file/rotation.js';
import { freeSpace, mountTmpfs } from '../../helpers/tmpfs.js';
import { testContext } from './helpers.js';

/** A JSON line of uneven length, so the file rarely ends on a page boundary. */
const entry = (n: number) => `${JSON.stringify({ n, pad: 'x'.repeat(150 + ((n * 37) % 400)) })}\n`;

interface Run {
  acknowledged: number[];
  attempted: number[];
  failures: number;
  rotations: number;
  lines: string[];
}

async function fillAndRecover(options: Record<string, string>): Promise<Run> {
  const fs = mountTmpfs('1m');
  try {
    const path = join(fs.dir, 'audit.log');
    const ctx = testContext({ file_path: path, ...options });
    const sink = await createFileSink(ctx);
    const run: Run = { acknowledged: [], attempted: [], failures: 0, rotations: 0, lines: [] };
    let n = 0;
    /** One batch of five lines (written together by the sink): true if acknowledged. */
    const batch = async () => {
      const numbers = [n++, n++, n++, n++, n++];
      run.attempted.push(...numbers);
      try {
        await Promise.all(numbers.map((i) => sink.write(entry(i))));
        run.acknowledged.push(...numbers);
        return true;
      } catch {
        run.failures++;
        return false;
      }
    };
    for (let i = 0; i < 20; i++) assert.ok(await batch(), 'writes succeed before the disk is full');
    const filler = fs.fill();
    // The file's last page still has room for a little: batches fit, then one fails part-way.
    for (let i = 0; i < 40 && run.failures < 3; i++) await batch();
    assert.ok(run.failures >= 1, 'a write failed on the full disk');
    freeSpace(filler);
    for (let i = 0; i < 10; i++) assert.ok(await batch(), 'writes succeed once space is free');
    await sink.close();
    run.rotations = sink.stats.rotations;
    const files = [...(await listRotated(path)), path];
    run.lines = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('').split('\n');
    assert.equal(run.lines.pop(), '', 'the last file ends with a newline');
    return run;
  } finally {
    fs.unmount();
  }
}

/** Every line parses; the acknowledged entries are all there, once, in order. */
function assertWhole(run: Run): number[] {
  const found = run.lines.map((line, i) => {
    try {
      return (JSON.parse(line) as { n: number }).n;
    } catch {
      return assert.fail(`line ${i + 1} does not parse: ${JSON.stringify(line.slice(0, 80))}…`);
    }
  });
  assert.deepEqual([...found].sort((a, b) => a - b), found, 'in order, no line twice');
  assert.equal(new Set(found).size, found.length);
  const present = new Set(found);
  for (const n of run.acknowledged) assert.ok(present.has(n), `acknowledged entry ${n} is in the file`);
  for (const n of found) assert.ok(run.attempted.includes(n));
  return found;
}

describe('file sink on a full disk (tmpfs)', { timeout: 20_000 }, () => {
  it('cuts a failed batch away: the file holds exactly the acknowledged entries', async () => {
    const run = await fillAndRecover({});
    assert.deepEqual(assertWhole(run), run.acknowledged);
  });

  it('durable mode (fsync) too', async () => {
    const run = await fillAndRecover({ fsync: 'true' });
    assert.deepEqual(assertWhole(run), run.acknowledged);
  });

  it('with size rotation, across the rotated files', async () => {
    // Small files: the disk fills with rotations happening before, during and after.
    const run = await fillAndRecover({ rotate_max_bytes: '16000', rotate_max_files: '0' });
    const found = assertWhole(run);
    assert.ok(run.rotations >= 2, `${run.rotations} rotations`);
    // A batch that failed after rotating may leave its first, complete lines in the rotated file.
    assert.ok(found.length >= run.acknowledged.length);
  });
});
