/**
 * Entry bundles of C2SP tlog-tiles: up to 256 consecutive entries, each prefixed with its length
 * as a big-endian uint16 — so an entry is at most 65,535 bytes (larger records enter the tree as
 * a digest entry, entry.ts). Decoding checks the exact entry count the bundle's path promises.
 */
import { invalid } from '../errors/index.js';
import { TILE_WIDTH, type BundleCoord } from './tiles.js';

export const MAX_ENTRY_BYTES = 0xffff;

export function encodeBundle(entries: readonly Uint8Array[]): Buffer {
  if (entries.length > TILE_WIDTH) throw invalid(`a bundle holds at most ${TILE_WIDTH} entries`, 'ledger_invalid_bundle');
  let total = 0;
  for (const e of entries) {
    if (e.length > MAX_ENTRY_BYTES) throw invalid(`a ledger entry is ${e.length} bytes, over ${MAX_ENTRY_BYTES}`, 'ledger_entry_too_large');
    total += 2 + e.length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of entries) {
    out.writeUInt16BE(e.length, at);
    out.set(e, at + 2);
    at += 2 + e.length;
  }
  return out;
}

/** What stopped a bundle's parse: at entry `at`, and why. */
export interface BundleProblem { readonly at: number; readonly reason: string }

/** A bundle's entries as byte ranges [starts[k], ends[k]) of the bundle, as far as they parse. */
export interface BundleRanges { readonly starts: number[]; readonly ends: number[]; readonly problem?: BundleProblem }

/**
 * The entries of a bundle as byte ranges, up to the first defect; with `expected`, any other count
 * is a defect at the first entry missing or the first one too many. Ranges, not views, so a
 * verifier hashing millions of entries allocates nothing per entry here.
 */
export function bundleRanges(data: Uint8Array, expected?: number): BundleRanges {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const limit = expected ?? TILE_WIDTH;
  const starts: number[] = [];
  const ends: number[] = [];
  const stop = (reason: string) => ({ starts, ends, problem: { at: starts.length, reason } });
  let at = 0;
  while (at < bytes.length) {
    if (starts.length === limit) return stop(`bytes after entry ${starts.length - 1}`);
    if (at + 2 > bytes.length) return stop(`entry ${starts.length} has a truncated length`);
    const length = bytes.readUInt16BE(at);
    if (at + 2 + length > bytes.length) return stop(`entry ${starts.length} is truncated`);
    starts.push(at + 2);
    ends.push(at + 2 + length);
    at += 2 + length;
  }
  if (expected !== undefined && starts.length !== expected) return stop(`${starts.length} entries, not ${expected}`);
  return { starts, ends };
}

/** A bundle's entries as views into its bytes (no copies), as far as they parse. */
export interface BundleScan { readonly entries: Buffer[]; readonly problem?: BundleProblem }

export function scanBundle(data: Uint8Array, expected?: number): BundleScan {
  const bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const { starts, ends, problem } = bundleRanges(bytes, expected);
  const entries = starts.map((start, k) => bytes.subarray(start, ends[k]));
  return problem ? { entries, problem } : { entries };
}

/** The entries of a bundle (views into `data`); a defective bundle is rejected naming the defect. */
export function decodeBundle(data: Uint8Array, expected?: number): Buffer[] {
  const { entries, problem } = scanBundle(data, expected);
  if (problem) throw invalid(`malformed entry bundle: ${problem.reason}`, 'ledger_invalid_bundle');
  return entries;
}

export interface BundleData { readonly bundle: BundleCoord; readonly data: Buffer }

/**
 * The bundles to write after appending `entries` to a log of `size` whose partial bundle holds
 * `partialEntries` (size mod 256 of them): every bundle that fills, then the new partial one.
 */
export function bundlesForAppend(size: number, partialEntries: readonly Uint8Array[], entries: readonly Uint8Array[]): BundleData[] {
  if (partialEntries.length !== size % TILE_WIDTH) {
    throw invalid(`a log of ${size} entries has ${size % TILE_WIDTH} in its partial bundle, not ${partialEntries.length}`, 'ledger_invalid_bundle');
  }
  const out: BundleData[] = [];
  let pending = [...partialEntries];
  let index = Math.floor(size / TILE_WIDTH);
  for (const e of entries) {
    pending.push(e);
    if (pending.length === TILE_WIDTH) {
      out.push({ bundle: { index, width: TILE_WIDTH }, data: encodeBundle(pending) });
      pending = [];
      index += 1;
    }
  }
  if (pending.length > 0 && entries.length > 0) out.push({ bundle: { index, width: pending.length }, data: encodeBundle(pending) });
  return out;
}
