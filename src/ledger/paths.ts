/**
 * The resource paths of C2SP tlog-tiles, relative to the log's prefix: `checkpoint`,
 * `tile/<L>/<N>[.p/<W>]` and `tile/entries/<N>[.p/<W>]`. N is written in groups of three digits,
 * every group but the last prefixed with `x` (1234067 → x001/x234/067). Parsing accepts only the
 * canonical form, so one tile has one path and a cache or mirror cannot be fed an alias.
 */
import { invalid } from '../errors/index.js';
import { MAX_ENTRY_BYTES } from './bundles.js';
import { HASH_SIZE } from './hash.js';
import { MAX_NOTE_BYTES } from './note.js';
import { MAX_TILE_LEVEL, TILE_WIDTH, type BundleCoord, type TileCoord } from './tiles.js';

export const CHECKPOINT_PATH = 'checkpoint';

/** Fetches a log resource by its path relative to the log's prefix (e.g. `tile/0/000.p/7`). */
export type LogFetcher = (path: string) => Promise<Uint8Array>;

/** The longest path parse accepts: enough for any safe-integer index, far below any URL limit. */
export const MAX_PATH_LENGTH = 64;

export type LogPath =
  | { readonly kind: 'checkpoint' }
  | { readonly kind: 'tile'; readonly tile: TileCoord }
  | { readonly kind: 'entries'; readonly bundle: BundleCoord };

/** N in x-prefixed three-digit groups. */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw invalid('a tile index must be a non-negative safe integer', 'ledger_invalid_path');
  const groups: string[] = [];
  let rest = n;
  do {
    groups.unshift(String(rest % 1000).padStart(3, '0'));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
}

function widthSuffix(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH) throw invalid(`a tile width must be 1..${TILE_WIDTH}`, 'ledger_invalid_path');
  return width === TILE_WIDTH ? '' : `.p/${width}`;
}

export function tilePath(tile: TileCoord): string {
  if (!Number.isInteger(tile.level) || tile.level < 0 || tile.level > MAX_TILE_LEVEL) {
    throw invalid(`a tile level must be 0..${MAX_TILE_LEVEL}`, 'ledger_invalid_path');
  }
  return `tile/${tile.level}/${encodeTileIndex(tile.index)}${widthSuffix(tile.width)}`;
}

export function bundlePath(bundle: BundleCoord): string {
  return `tile/entries/${encodeTileIndex(bundle.index)}${widthSuffix(bundle.width)}`;
}

const badPath = (why: string) => invalid(`not a ledger path: ${why}`, 'ledger_invalid_path');

function parseIndex(groups: readonly string[]): number {
  if (groups.length === 0) throw badPath('no tile index');
  let n = 0;
  groups.forEach((g, i) => {
    const last = i === groups.length - 1;
    const m = (last ? /^(\d{3})$/ : /^x(\d{3})$/).exec(g);
    if (!m) throw badPath(last ? 'the last index group is not three digits' : 'an index group is not x and three digits');
    if (i === 0 && groups.length > 1 && m[1] === '000') throw badPath('the index has a leading zero group');
    n = n * 1000 + Number(m[1]);
  });
  if (!Number.isSafeInteger(n)) throw badPath('the tile index is too large');
  return n;
}

function parseWidth(text: string): number {
  if (!/^[1-9]\d{0,2}$/.test(text)) throw badPath('the partial width is not a number 1..255');
  const width = Number(text);
  if (width >= TILE_WIDTH) throw badPath('the partial width is not below 256');
  return width;
}

/** The tile, bundle or checkpoint a path (relative to the log prefix, no leading slash) names. */
export function parseLogPath(path: string): LogPath {
  if (path.length > MAX_PATH_LENGTH) throw badPath('too long');
  if (path === CHECKPOINT_PATH) return { kind: 'checkpoint' };
  const parts = path.split('/');
  if (parts[0] !== 'tile' || parts.length < 3) throw badPath('not checkpoint or tile/...');
  let width = TILE_WIDTH;
  let groups = parts.slice(2);
  const p = groups.findIndex((g) => g.endsWith('.p'));
  if (p >= 0) {
    if (p !== groups.length - 2) throw badPath('.p must be followed by exactly the width');
    width = parseWidth(groups[p + 1]);
    groups = [...groups.slice(0, p), groups[p].slice(0, -2)];
  }
  const index = parseIndex(groups);
  if (parts[1] === 'entries') return { kind: 'entries', bundle: { index, width } };
  if (!/^(0|[1-9]\d?)$/.test(parts[1]) || Number(parts[1]) > MAX_TILE_LEVEL) throw badPath(`the level is not 0..${MAX_TILE_LEVEL}`);
  return { kind: 'tile', tile: { level: Number(parts[1]), index, width } };
}

/** The most bytes the resource at a path can have: a signed note, a tile of its width, a bundle of its width. */
export function maxBytesOf(path: string): number {
  const parsed = parseLogPath(path);
  if (parsed.kind === 'checkpoint') return MAX_NOTE_BYTES;
  if (parsed.kind === 'tile') return parsed.tile.width * HASH_SIZE;
  return parsed.bundle.width * (2 + MAX_ENTRY_BYTES);
}
