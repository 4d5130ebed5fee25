/**
 * Owns the audit file descriptor: append-only writes, durable mode, reopen and built-in rotation.
 * Every method is called from the sink's line queue, one at a time, so the descriptor is never
 * used by two tasks at once and a rotation or reopen always falls between two batches.
 *
 * How a batch is written depends on what the path is. A regular file on a local filesystem gets a
 * plain synchronous write(2): it lands in the page cache in microseconds, which is cheaper than
 * handing the batch to libuv's threadpool and being woken when it is done (BENCHMARKS.md). Pipes,
 * devices, network filesystems, and durable mode (whose fdatasync takes milliseconds) are written
 * through the threadpool, so a stalled reader, server or disk holds only the audited requests —
 * bounded by audit_block_timeout — and never the event loop.
 *
 * The path is opened non-blocking. A FIFO with no reader then fails at once (ENXIO) instead of
 * blocking a threadpool thread until a reader appears — which would hold the device's queue, its
 * management and the server's exit for as long. A full pipe (its reader stopped reading) is waited
 * on with timers, not in a blocked write(2) that no one can end: once the sink is closed and the
 * wait outlasts the block timeout, the batch is given up and the descriptor closed.
 *
 * Pages a regular file no longer needs cached are released as it grows (lib/page-cache.ts).
 *
 * A failed batch leaves no trace in a regular file: the file is cut back to the end of the last
 * acknowledged batch before the descriptor is dropped (line-boundary.ts), so a write that failed
 * part-way (a full disk) never leaves a fragment for the next entry to be glued to. If that cut
 * fails too, the file is repaired when it is next opened, and nothing is appended until it is.
 */
import { constants, fstatSync, writeSync } from 'node:fs';
import { open, rename, statfs, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../../../lib/clock.js';
import { createLineEncoder } from '../line-encoder.js';
import type { SinkContext } from '../types.js';
import { DEFAULT_MODE, type FileSettings } from './options.js';
import { cutToLineBoundary } from './line-boundary.js';
import { createPageCacheTrimmer, type PageCacheTrimOptions } from '../../../lib/page-cache.js';
import { freeRotatedName, pruneRotated } from './rotation.js';
import { makeDirectory } from '../../../lib/make-dir.js';

/** Counters for tests, benchmarks and metrics. */
export interface FileSinkStats {
  lines: number;
  bytes: number;
  /** write(2) calls (one per batch, or per segment when a batch straddles a size rotation). */
  writes: number;
  /** Of those, the ones made synchronously (regular file on a local filesystem). */
  syncWrites: number;
  fsyncs: number;
  rotations: number;
  reopens: number;
  /** Batches that failed. */
  errors: number;
  /** Times written-back pages were dropped from the page cache (lib/page-cache.ts). */
  cacheReleases: number;
}

/** O_WRONLY|O_CREAT|O_APPEND, as 'a', and O_NONBLOCK: see the header comment. */
const APPEND_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND | constants.O_NONBLOCK;
/** The longest pause between two attempts to write to a full pipe. */
const MAX_PIPE_PAUSE_MS = 100;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface FileAppender {
  open(): Promise<void>;
  append(lines: readonly string[]): Promise<void>;
  reopen(): Promise<void>;
  /** Rotates now if the interval elapsed (called by the sink's timer). */
  rotateIfDue(): Promise<void>;
  close(): Promise<void>;
  /** Stops waiting for a full pipe: the batch in hand fails (the sink was closed and gave up on it). */
  abandon(): void;
  readonly stats: FileSinkStats;
}

export interface FileAppenderOptions {
  /** Page-cache window and step (lib/page-cache.ts); tests make them small. */
  cache?: Pick<PageCacheTrimOptions, 'windowBytes' | 'stepBytes' | 'release'>;
}

export function createFileAppender(path: string, settings: FileSettings, clock: Clock, log: SinkContext['log'], options: FileAppenderOptions = {}): FileAppender {
  const { rotation } = settings;
  const stats: FileSinkStats = { lines: 0, bytes: 0, writes: 0, syncWrites: 0, fsyncs: 0, rotations: 0, reopens: 0, errors: 0, cacheReleases: 0 };
  const cache = createPageCacheTrimmer({
    ...options.cache,
    onRelease: () => { stats.cacheReleases++; },
    // The lines themselves were written; only their flush to disk failed. Durable mode reports
    // such errors on the batch; here one warning per episode makes a failing disk visible.
    onError: (err) => log.warn({ path, code: err.code }, 'audit file device: flushing the file to disk failed'),
  });
  /** Only regular files have pages worth releasing. */
  let regularFile = false;
  let handle: FileHandle | undefined;
  /** Decided at each open: see the header comment. */
  let synchronous = false;
  let size = 0;
  /** Offset in the current file up to which every byte belongs to an acknowledged batch. */
  let committed = 0;
  /**
   * A failed batch's bytes could not be cut away: the next open must repair the file first. True
   * at the first open too: a process killed inside a write(2) (SIGKILL stops one between pages)
   * leaves the start of a batch nobody acknowledged, which the next entry would be glued to.
   */
  let torn = true;
  let openedAt = 0;

  async function openFile(): Promise<FileHandle> {
    await makeDirectory(dirname(path), 0o700);
    // 'a' = O_WRONLY|O_CREAT|O_APPEND: every write lands at the end, even if another process
    // (or a previous descriptor still draining) appends too.
    const fh = await open(path, APPEND_FLAGS, settings.mode === 0 ? DEFAULT_MODE : settings.mode);
    try {
      const info = await fh.stat();
      // chmod also fixes a pre-existing file; skipped for devices such as /dev/null.
      if (settings.mode !== 0 && info.isFile() && (info.mode & 0o7777) !== settings.mode) await fh.chmod(settings.mode);
      size = info.size;
      regularFile = info.isFile();
      if (torn && regularFile) {
        // Where the acknowledged lines ended in this file is no longer known: cut after its last newline.
        const found = size;
        size = await cutToLineBoundary(fh, path, Infinity);
        if (size < found) log.warn({ path, bytes: found - size }, 'audit file device: cut an unfinished line off the end of the file (a write that was never acknowledged)');
      }
      torn = false;
      committed = size;
      synchronous = !settings.fsync && info.isFile() && (await onLocalFilesystem(path));
    } catch (err) {
      await fh.close().catch(() => undefined);
      throw err;
    }
    openedAt = clock.now();
    handle = fh;
    return fh;
  }

  async function closeFile(): Promise<void> {
    const fh = handle;
    handle = undefined;
    // A release in flight uses the descriptor's number: it must finish before the number can be
    // reused by another open.
    await cache.closing();
    if (fh) await fh.close();
  }

  let abandoned = false;

  /** One write(2) through the threadpool; a full pipe (EAGAIN) is retried after a pause. */
  async function writeSome(fh: FileHandle, buf: Buffer, offset: number, length: number): Promise<number> {
    for (let wait = 1; ; wait = Math.min(wait * 2, MAX_PIPE_PAUSE_MS)) {
      try {
        return (await fh.write(buf, offset, length)).bytesWritten;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || abandoned) throw err;
      }
      await pause(wait);
    }
  }

  /** Synchronous writes encode the batch into one reused buffer: no string joined. */
  const encoder = createLineEncoder();

  async function writeChunk(lines: readonly string[]): Promise<void> {
    const fh = handle ?? (await openFile());
    let buf: Buffer;
    let length: number;
    if (synchronous) {
      buf = encoder.encode(lines);
      length = buf.length;
      for (let off = 0; off < length; ) off += writeSync(fh.fd, buf, off, length - off);
      stats.syncWrites++;
    } else {
      buf = Buffer.from(lines.length === 1 ? lines[0] : lines.join(''), 'utf8');
      length = buf.length;
      for (let off = 0; off < length; ) off += await writeSome(fh, buf, off, length - off);
    }
    size += length;
    stats.writes++;
    stats.bytes += length;
    if (regularFile) cache.wrote(fh.fd, size);
  }

  const intervalDue = () => rotation?.intervalMs !== undefined && clock.now() - openedAt >= rotation.intervalMs;

  async function rotate(): Promise<void> {
    // In durable mode the lines already written to the file being rotated away are covered too.
    if (settings.fsync && handle) {
      await handle.datasync();
      stats.fsyncs++;
    }
    await closeFile();
    try {
      await rename(path, await freeRotatedName(path, clock.now()));
    } catch (err) {
      // An external logrotate moved the file away first: the lines written so far live in the
      // moved file, and a fresh file is opened below, as after our own rename.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    stats.rotations++;
    await openFile();
    if (rotation && rotation.maxFiles > 0) {
      // A failed cleanup must not fail audit writes: the entries are safe, only disk use grows.
      await pruneRotated(path, rotation.maxFiles).catch((err: NodeJS.ErrnoException) =>
        log.warn({ path, code: err.code }, 'audit file device could not delete an old rotated file'));
    }
  }

  /** Splits the batch so that no file grows past maxBytes (unless a single line is larger). */
  async function appendWithSizeLimit(lines: readonly string[], maxBytes: number): Promise<void> {
    let segment: string[] = [];
    let segmentBytes = 0;
    for (const line of lines) {
      const n = Buffer.byteLength(line, 'utf8');
      if (size + segmentBytes > 0 && size + segmentBytes + n > maxBytes) {
        if (segment.length > 0) await writeChunk(segment);
        segment = [];
        segmentBytes = 0;
        await rotate();
      }
      segment.push(line);
      segmentBytes += n;
    }
    if (segment.length > 0) await writeChunk(segment);
  }

  /** After a failed batch: the file ends where the last acknowledged batch ended. */
  async function restoreLineBoundary(): Promise<void> {
    if (!handle || !regularFile) return;
    try {
      size = await cutToLineBoundary(handle, path, committed);
    } catch (err) {
      torn = true;
      log.warn({ path, code: (err as NodeJS.ErrnoException).code }, 'audit file device: could not cut a failed write from the file; it is repaired before the next write');
    }
  }

  async function writeBatch(lines: readonly string[]): Promise<void> {
    if (!handle) await openFile();
    if (size > 0 && intervalDue()) await rotate();
    if (rotation?.maxBytes !== undefined) await appendWithSizeLimit(lines, rotation.maxBytes);
    else await writeChunk(lines);
    if (settings.fsync) {
      // fdatasync: for an append the new size is part of what it flushes, so the entry is
      // retrievable after a crash; it skips only timestamps.
      await handle!.datasync();
      stats.fsyncs++;
    }
  }

  /**
   * True when the file written to has no name left (deleted, or replaced by a rename over it): its
   * lines would vanish with the descriptor. Checked after the write, so a deletion at any moment
   * before the batch is acknowledged is seen.
   */
  async function unlinked(): Promise<boolean> {
    if (!handle || !regularFile) return false;
    return (synchronous ? fstatSync(handle.fd) : await handle.stat()).nlink === 0;
  }

  async function append(lines: readonly string[]): Promise<void> {
    try {
      await writeBatch(lines);
      if (await unlinked()) {
        // Written into a file nobody can read any more: the batch goes to a new file at the path.
        log.warn({ path }, 'audit file device: the file was deleted while open (a log rotation without SIGHUP?); writing to a new file at its path');
        await closeFile();
        await writeBatch(lines);
        if (await unlinked()) throw Object.assign(new Error('the file was deleted again as it was written'), { code: 'ENOENT' });
      }
      stats.lines += lines.length;
      committed = size;
    } catch (err) {
      stats.errors++;
      await restoreLineBoundary();
      // Drop the descriptor: the next batch reopens the path (disk replaced, file deleted, ...).
      await closeFile().catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code;
      throw new Error(`file audit device: write to ${path} failed: ${code === 'ENXIO' ? 'ENXIO (a FIFO with no reader)' : code ?? (err as Error).message}`, { cause: err });
    }
  }

  return {
    stats,
    open: async () => { await openFile(); },
    append,
    async reopen() {
      await closeFile().catch(() => undefined);
      await openFile();
      stats.reopens++;
    },
    async rotateIfDue() {
      if (handle && size > 0 && intervalDue()) await rotate();
    },
    close: closeFile,
    abandon() { abandoned = true; },
  };
}

/**
 * Linux filesystems whose writes are served by local storage or memory (statfs f_type magic
 * numbers from linux/magic.h). Anything else — NFS, SMB/CIFS, FUSE, Ceph, unknown — may stall on
 * the network, and other systems report other numbers, so they keep threadpool writes.
 */
const LOCAL_FILESYSTEMS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x794c7630, // overlayfs
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
]);

export function isLocalFilesystemType(type: number | bigint): boolean {
  return LOCAL_FILESYSTEMS.has(Number(type));
}

async function onLocalFilesystem(path: string): Promise<boolean> {
  if (process.platform !== 'linux') return false;
  try {
    return isLocalFilesystemType((await statfs(path)).type);
  } catch {
    return false;
  }
}
