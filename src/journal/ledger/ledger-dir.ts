/**
 * The ledger's files in a directory laid out as C2SP tlog-tiles (`checkpoint`, `tile/<L>/<N>[.p/<W>]`,
 * `tile/entries/<N>[.p/<W>]`), so any static file server can serve a copy. Every file is written
 * whole and atomically (a temporary file renamed over the name), so a reader or a crash never sees
 * half a tile. A tile's or bundle's partial versions are kept until its full version is written,
 * then removed: from then on a partial path is answered from the first W hashes (or entries) of
 * the full file, which are the same bytes (tlog-tiles clients fall back to the full tile likewise).
 * A partial width never written (a tree size no append stopped at, asked for by a proof), or
 * one pruned once a checkpoint named a wider one, is answered the same way from the narrowest
 * wider partial.
 */
import {
  closeSync, constants, fdatasyncSync, fstatSync, fsyncSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, rmSync, writeSync,
} from 'node:fs';
import { open, readdir, realpath, rm } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import { SealtrailError } from '../../errors/index.js';
import { readOpenFile, readOpenFileSync } from '../../lib/regular-file.js';
import { bundlePath, bundleRanges, HASH_SIZE, maxBytesOf, parseLogPath, partialTiles, TILE_WIDTH, tilePath, type LogFile } from '../../ledger/index.js';

/** The partial form of a path: its full file and the width asked for, or undefined for a full path. */
export function partialOf(path: string): { full: string; width: number } | undefined {
  const m = /^(.*)\.p\/(\d+)$/.exec(path);
  return m ? { full: m[1], width: Number(m[2]) } : undefined;
}

/** The first `width` hashes or entries of a full tile or bundle: the partial file it replaced. */
export function prefixOf(path: string, full: Buffer, width: number): Buffer | undefined {
  if (path.startsWith('tile/entries/')) {
    const { ends } = bundleRanges(full);
    return ends.length >= width ? full.subarray(0, ends[width - 1]) : undefined;
  }
  return full.length >= width * HASH_SIZE ? full.subarray(0, width * HASH_SIZE) : undefined;
}

const missing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The narrowest partial wider than `width` among a `.p` directory's names (widths). */
export function widerThan(names: readonly string[], width: number): string | undefined {
  const wider = names.filter((n) => /^[1-9]\d{0,2}$/.test(n) && Number(n) > width).sort((a, b) => Number(a) - Number(b));
  return wider[0];
}

/**
 * The places a path's bytes can be read from, in order: the file itself; for a partial path, the
 * full file, then the narrowest wider partial (a tree of any size at or below the log's has its
 * tiles among these: the first W hashes of a tile never change once written).
 */
export function candidates(path: string, names: () => readonly string[]): { file: string; width?: number }[] {
  const partial = partialOf(path);
  if (!partial) return [{ file: path }];
  const out: { file: string; width?: number }[] = [{ file: path }, { file: partial.full, width: partial.width }];
  const wider = widerThan(names(), partial.width);
  if (wider !== undefined) out.push({ file: `${partial.full}.p/${wider}`, width: partial.width });
  return out;
}

/**
 * A link is never followed (whoever can write the directory must not make the server read a file
 * elsewhere) and a FIFO is not waited on: both are refused, as is anything but a regular file no
 * larger than its path can hold.
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

const refused = (why: string) => new SealtrailError('internal', 'ledger_file_invalid', `a ledger file ${why}`);

function opening(err: unknown): Error {
  return (err as NodeJS.ErrnoException).code === 'ELOOP' ? refused('is a link, not a file of the ledger\'s directory') : err as Error;
}

function checkFile(info: { isFile(): boolean; size: number }, max: number): void {
  if (!info.isFile()) throw refused('is not a regular file');
  if (info.size > max) throw refused(`is ${info.size} bytes, over the ${max} it can have`);
}

/** `real` (a resolved path) is `root` or under it. */
const within = (root: string, real: string) => real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
const outside = () => refused('is under a link out of the ledger\'s directory');

/** Refuses a directory of the log (`sub`, under `dir`) that a link takes out of `dir`. */
async function checkInside(dir: string, sub: string): Promise<void> {
  if (!within(await realpath(dir), await realpath(sub))) throw outside();
}

function checkInsideSync(dir: string, sub: string): void {
  if (!within(realpathSync(dir), realpathSync(sub))) throw outside();
}

async function readBounded(file: string, max: number): Promise<Buffer> {
  const handle = await open(file, OPEN_FLAGS).catch((err: unknown) => { throw opening(err); });
  try {
    const info = await handle.stat();
    checkFile(info, max);
    return await readOpenFile(handle, info.size);
  } finally {
    await handle.close();
  }
}

function readBoundedSync(file: string, max: number): Buffer {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (err) {
    throw opening(err);
  }
  try {
    const info = fstatSync(fd);
    checkFile(info, max);
    return readOpenFileSync(fd, info.size);
  } finally {
    closeSync(fd);
  }
}

/**
 * A ledger file by its canonical path (checked here: nothing outside the layout is ever read), or
 * undefined when it is not there (yet). For the request thread: the reads are asynchronous.
 */
export async function readLedgerFile(dir: string, path: string): Promise<Buffer | undefined> {
  parseLogPath(path);
  let names: readonly string[] = [];
  const partial = partialOf(path);
  if (partial) names = await readdir(join(dir, `${partial.full}.p`)).catch(() => []);
  for (const { file, width } of candidates(path, () => names)) {
    try {
      await checkInside(dir, dirname(join(dir, file)));
      const data = await readBounded(join(dir, file), maxBytesOf(file));
      return width === undefined ? data : prefixOf(path, data, width);
    } catch (err) {
      if (!missing(err)) throw err;
    }
  }
  return undefined;
}

/** `readLedgerFile` for the indexer thread, which has nothing else to do meanwhile. */
export function readLedgerFileSync(dir: string, path: string): Buffer | undefined {
  parseLogPath(path);
  const partial = partialOf(path);
  const names = () => {
    try { return partial ? readdirSync(join(dir, `${partial.full}.p`)) : []; } catch { return []; }
  };
  for (const { file, width } of candidates(path, names)) {
    try {
      checkInsideSync(dir, dirname(join(dir, file)));
      const data = readBoundedSync(join(dir, file), maxBytesOf(file));
      return width === undefined ? data : prefixOf(path, data, width);
    } catch (err) {
      if (!missing(err)) throw err;
    }
  }
  return undefined;
}

export interface LedgerFiles {
  /** Writes every file (then removes the partial versions of any that is now full). */
  write(files: readonly LogFile[]): void;
}

/** The file store of the indexer thread; with `fsync`, each file and directory entry is synced. */
export function ledgerFiles(dir: string, opts: { fsync: boolean }): LedgerFiles {
  const syncDir = (path: string) => {
    const fd = openSync(path, 'r');
    try { fsyncSync(fd); } finally { closeSync(fd); }
  };
  return {
    write(files) {
      const touched = new Set<string>();
      for (const file of files) {
        const target = join(dir, file.path);
        mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
        checkInsideSync(dir, dirname(target));
        const temp = `${target}.tmp`;
        // Created anew ('wx' follows no link): a link planted at the name would have the tile written elsewhere.
        rmSync(temp, { force: true });
        const fd = openSync(temp, 'wx', 0o600);
        try {
          try {
            for (let at = 0; at < file.data.length;) at += writeSync(fd, file.data, at, file.data.length - at);
            if (opts.fsync) fdatasyncSync(fd);
          } finally {
            closeSync(fd);
          }
          renameSync(temp, target);
        } catch (err) {
          // A full disk's half-written file gives its space back; the retry may name another path.
          rmSync(temp, { force: true });
          throw err;
        }
        touched.add(dirname(target));
        if (!partialOf(file.path)) {
          const partials = `${target}.p`;
          rmSync(partials, { recursive: true, force: true });
        }
      }
      if (opts.fsync) for (const path of touched) syncDir(path);
    },
  };
}

/** The `.p` directory and width of each partial tile and bundle of a tree of `size`. */
export function partialsOf(size: number): { dir: string; width: number }[] {
  const width = size % TILE_WIDTH;
  return [
    ...partialTiles(size).map((tile) => ({ dir: dirname(tilePath(tile)), width: tile.width })),
    ...(width > 0 ? [{ dir: dirname(bundlePath({ index: (size - width) / TILE_WIDTH, width })), width }] : []),
  ];
}

/**
 * Removes the partial versions the log of `size` has made redundant: those narrower than its own
 * partial tiles and bundle, except the ones of the tree `keep` (the latest checkpoint's, which
 * static copies of the log must hold). Each removed file is a prefix of one kept and is still
 * answered from it. Without this, partials would pile up, a new one per commit, up to 255 per tile
 * until the full tile replaced them.
 */
export async function prunePartials(dir: string, size: number, keep?: number): Promise<void> {
  const kept = new Set(keep === undefined ? [] : partialsOf(keep).map((p) => `${p.dir}/${p.width}`));
  for (const { dir: partials, width } of partialsOf(size)) {
    const names = await readdir(join(dir, partials)).catch(() => [] as string[]);
    if (names.length > 0) await checkInside(dir, join(dir, partials));
    for (const name of names) {
      if (!/^[1-9]\d{0,2}$/.test(name) || Number(name) >= width || kept.has(`${partials}/${name}`)) continue;
      await rm(join(dir, partials, name), { force: true });
    }
  }
}
