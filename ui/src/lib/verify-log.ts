/**
 * Verifying the whole log in the browser: every entry bundle up to the checkpoint's size is
 * fetched, each entry hashed as a leaf, and the root recomputed; it must be the signed root.
 * Memory is one 32-byte hash per entry (a few MB for 100,000 records).
 */
import { ApiError, explainError } from './api.js';
import { bundleEntries } from './entry.js';
import { equalBytes } from './bytes.js';
import { leafHash, rootOf } from './merkle.js';

export const TILE_WIDTH = 256;

/** A tile index in C2SP's x-prefixed three-digit groups (1234067 → x001/x234/067). */
export function encodeTileIndex(n: number): string {
  const groups: string[] = [];
  let rest = n;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

export function bundlePath(index: number, width: number): string {
  return `tile/entries/${encodeTileIndex(index)}${width === TILE_WIDTH ? '' : `.p/${width}`}`;
}

/** `unchecked`: the server refused or did not answer a bundle, so nothing was proved either way. */
export type LogVerdict = { readonly ok: true; readonly size: number } | { readonly ok: false; readonly reason: string; readonly unchecked?: true };

export async function verifyLog(
  fetchBundle: (path: string) => Promise<Uint8Array>,
  size: number,
  root: Uint8Array,
  onProgress: (done: number, total: number) => void,
  isCancelled: () => boolean = () => false,
): Promise<LogVerdict> {
  const leaves: Uint8Array[] = [];
  const bundles = Math.ceil(size / TILE_WIDTH);
  for (let b = 0; b < bundles; b++) {
    if (isCancelled()) return { ok: false, reason: 'cancelled' };
    const width = Math.min(TILE_WIDTH, size - b * TILE_WIDTH);
    let entries: Uint8Array[];
    try {
      entries = bundleEntries(await fetchBundle(bundlePath(b, width)), width);
    } catch (err) {
      if (err instanceof ApiError) return { ok: false, reason: `entry bundle ${b}: ${explainError(err)}`, unchecked: true };
      return { ok: false, reason: `entry bundle ${b}: ${(err as Error).message}` };
    }
    for (const e of entries) leaves.push(await leafHash(e));
    onProgress(leaves.length, size);
  }
  const computed = await rootOf(leaves);
  if (!equalBytes(computed, root)) return { ok: false, reason: 'the root recomputed from every entry differs from the signed checkpoint\'s root' };
  return { ok: true, size };
}
