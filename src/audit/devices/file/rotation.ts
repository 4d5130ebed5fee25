/**
 * Names and housekeeping for Sealtrail's built-in rotation: `audit.log` is renamed to
 * `audit.log.20261122T223000.123Z` (UTC, from the sink's clock); a second rotation in the same
 * millisecond gets `-1`, `-2`, ... so no rotated file is ever overwritten. Names sort by age, which
 * is how the oldest files beyond the kept count are found.
 */
import { readdir, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

const STAMP = /^(\d{8}T\d{6}\.\d{3}Z)(?:-(\d+))?$/;

/** `20261122T223000.123Z` for 2026-11-22T22:30:00.123Z. */
export function rotationStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** A rotated name for `path` at `ms` that no existing file uses. */
export async function freeRotatedName(path: string, ms: number): Promise<string> {
  const base = `${path}.${rotationStamp(ms)}`;
  if (!(await exists(base))) return base;
  for (let n = 1; ; n++) {
    const candidate = `${base}-${n}`;
    if (!(await exists(candidate))) return candidate;
  }
}

interface Rotated {
  name: string;
  stamp: string;
  seq: number;
}

/** Rotated files of `path`, oldest first. */
export async function listRotated(path: string): Promise<string[]> {
  const prefix = `${basename(path)}.`;
  const found: Rotated[] = [];
  for (const name of await readdir(dirname(path))) {
    if (!name.startsWith(prefix)) continue;
    const m = STAMP.exec(name.slice(prefix.length));
    if (m) found.push({ name, stamp: m[1], seq: m[2] === undefined ? 0 : Number(m[2]) });
  }
  found.sort((a, b) => (a.stamp === b.stamp ? a.seq - b.seq : a.stamp < b.stamp ? -1 : 1));
  return found.map((r) => join(dirname(path), r.name));
}

/** Deletes the oldest rotated files so that at most `keep` remain (0 keeps all). */
export async function pruneRotated(path: string, keep: number): Promise<string[]> {
  if (keep === 0) return [];
  const rotated = await listRotated(path);
  const doomed = rotated.slice(0, Math.max(0, rotated.length - keep));
  for (const file of doomed) await unlink(file);
  return doomed;
}
