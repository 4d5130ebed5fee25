/**
 * The spool's writing end, on the thread that answers requests: each batch of records is one
 * write(2) at the end of the current segment — the same cost as an audit file device — and the
 * batch is acknowledged when that write (and with `fsync`, an fdatasync) has returned. Indexing
 * happens later, on the indexer thread, which reads only up to the acknowledged position.
 *
 * A failed batch leaves nothing behind: the segment is cut back to the last acknowledged byte
 * before anything else is written, and until that cut succeeds every batch fails (fail-closed).
 * Each process starts a fresh segment, so a segment is only ever appended to by one process.
 *
 * A segment deleted or replaced while it is written to (a cleanup script, a restore over the
 * spool) would take the records acknowledged into it away with its descriptor: the indexer finds
 * no file at that name, the next start neither. So the path is checked to still name the open
 * segment, and when it does not, the segment's bytes are copied from the open descriptor to a new
 * file renamed to that name, which takes the writes from then on. The check is a stat(2), which
 * costs about what the batch's write(2) does (BENCHMARKS.md), so it runs after a batch only when
 * the last one is CHECK_MS old, and every IDLE_CHECK_MS on a timer: a batch acknowledged into a
 * segment that lost its name less than CHECK_MS before is still held by the open descriptor and
 * is copied at the next check; only a process killed in between loses it. When the copy fails,
 * the batch fails and so does every later one until a copy succeeds (the old descriptor is kept
 * for it). Closing checks once more.
 */
import { closeSync, constants, fdatasyncSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { identityOfFd, nameCheck, type FileFate } from '../../lib/file-identity.js';
import { makeDirectorySync } from '../../lib/make-dir.js';
import { createPageCacheTrimmer } from '../../lib/page-cache.js';
import { position, SEGMENT_BYTES, segmentPath } from './segments.js';

export interface SpoolWriterOptions {
  dir: string;
  /** The first segment this process writes (one past every segment already there). */
  segment: number;
  /** fdatasync every batch before acknowledging it (survives a machine crash). */
  fsync: boolean;
  /** Called after each acknowledged batch with the spool position after it. */
  onAcknowledged(pos: bigint): void;
  /** Told once per episode when releasing written pages from the page cache fails. */
  onCacheError(err: NodeJS.ErrnoException): void;
  /** Told when the segment being written lost its name and its bytes were put back under it. */
  onRestored(segment: number, fate: FileFate): void;
}

/**
 * The spool's recent bytes kept in the page cache (for the indexer, which reads just behind the
 * writer); older ones are flushed and dropped as the segment grows (lib/page-cache.ts). A lagging
 * indexer reads them back from the disk.
 */
const CACHE_WINDOW_BYTES = 16 << 20;
const CACHE_STEP_BYTES = 8 << 20;
/** A batch is acknowledged without a check of the segment's name if the last check is younger than this. */
const CHECK_MS = 10;
/** How often the segment's name is checked between batches. */
const IDLE_CHECK_MS = 100;
/**
 * Read and write (the bytes are copied from the descriptor if the segment loses its name), every
 * write at the end, created if missing.
 */
const SEGMENT_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT;
const COPY_CHUNK_BYTES = 1 << 20;

export interface SpoolWriter {
  /** Appends a batch of encoded frames (frame.ts); resolves when it is acknowledged. */
  write(frames: Buffer): Promise<void>;
  close(): Promise<void>;
}

export function createSpoolWriter(opts: SpoolWriterOptions): SpoolWriter {
  makeDirectorySync(opts.dir, 0o700);
  let segment = opts.segment;
  let fd: number | undefined;
  let handle: FileHandle | undefined;
  /** Whether the open segment's path still names it (a stat at most once per CHECK_MS unless fresh). */
  let checkName: ((fresh: boolean) => FileFate | undefined) | undefined;
  /** Bytes of the current segment that belong to acknowledged batches. */
  let committed = 0;
  /** A failed batch's bytes may still be in the segment: cut them before writing again. */
  let dirty = false;
  /** The open segment has lost its name: its bytes go to a new file at its path before any batch is acknowledged. */
  let lost: FileFate | undefined;
  /** A batch is being written (the idle check leaves the descriptor alone meanwhile). */
  let writing = false;
  /** The idle check's restore, while it runs (it never rejects). */
  let restoring: Promise<void> | undefined;
  const cache = createPageCacheTrimmer({ windowBytes: CACHE_WINDOW_BYTES, stepBytes: CACHE_STEP_BYTES, onError: opts.onCacheError });

  const syncDirectory = () => {
    const dirFd = openSync(opts.dir, 'r');
    try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
  };

  /** Opens `path` for the writer: through the threadpool with fsync (writes then are too), directly otherwise. */
  async function openFile(path: string, flags: number): Promise<{ fd: number; handle?: FileHandle }> {
    if (!opts.fsync) return { fd: openSync(path, flags, 0o600) };
    const h = await open(path, flags, 0o600);
    return { fd: h.fd, handle: h };
  }

  async function current(): Promise<number> {
    if (fd === undefined) {
      // The directory too may have been removed since the last segment was opened.
      makeDirectorySync(opts.dir, 0o700);
      ({ fd, handle } = await openFile(segmentPath(opts.dir, segment), SEGMENT_FLAGS));
      checkName = nameCheck(segmentPath(opts.dir, segment), identityOfFd(fd), { intervalMs: CHECK_MS });
      // The new file's name must survive a crash as much as its contents.
      if (opts.fsync) syncDirectory();
    }
    if (dirty) {
      ftruncateSync(fd, committed);
      dirty = false;
    }
    return fd;
  }

  /**
   * The open segment's first `length` bytes, copied to a new file renamed to the segment's name;
   * that file is the segment from then on. The old descriptor is closed only once the copy has its
   * name, so a failure leaves it for the next try.
   */
  async function restore(length: number): Promise<void> {
    const path = segmentPath(opts.dir, segment);
    const tmp = `${path}.restore`;
    makeDirectorySync(opts.dir, 0o700);
    const copy = await openFile(tmp, SEGMENT_FLAGS | constants.O_TRUNC);
    try {
      const buf = Buffer.allocUnsafe(Math.min(COPY_CHUNK_BYTES, Math.max(length, 1)));
      for (let at = 0; at < length;) {
        const n = readSync(fd!, buf, 0, Math.min(buf.length, length - at), at);
        if (n === 0) throw new Error(`the spool segment ${path} ends at ${at} of ${length} bytes`);
        for (let off = 0; off < n;) off += writeSync(copy.fd, buf, off, n - off);
        at += n;
      }
      if (opts.fsync) fdatasyncSync(copy.fd);
      renameSync(tmp, path);
      if (opts.fsync) syncDirectory();
    } catch (err) {
      if (copy.handle) await copy.handle.close(); else closeSync(copy.fd);
      rmSync(tmp, { force: true });
      throw err;
    }
    const fate = lost!;
    await closeSegment();
    ({ fd, handle } = copy);
    checkName = nameCheck(path, identityOfFd(fd), { intervalMs: CHECK_MS });
    lost = undefined;
    opts.onRestored(segment, fate);
  }

  /** Whether the open segment still has its name, as last checked (now, if `fresh`); records why not. */
  const named = (fresh: boolean): boolean => {
    lost ??= checkName!(fresh);
    return lost === undefined;
  };

  async function write(buf: Buffer): Promise<void> {
    if (committed > 0 && committed + buf.length > SEGMENT_BYTES && !dirty && !lost) await nextSegment();
    const target = await current();
    dirty = true;
    if (handle) {
      for (let off = 0; off < buf.length; ) off += (await handle.write(buf, off, buf.length - off)).bytesWritten;
      await handle.datasync();
    } else {
      for (let off = 0; off < buf.length; ) off += writeSync(target, buf, off, buf.length - off);
    }
    // Checked after the write, so the batch itself is in what is copied.
    if (!named(false)) await restore(committed + buf.length);
    dirty = false;
    committed += buf.length;
    cache.wrote(fd!, committed);
    opts.onAcknowledged(position(segment, committed));
  }

  async function closeSegment(): Promise<void> {
    await cache.closing();
    if (handle) await handle.close();
    else if (fd !== undefined) closeSync(fd);
    fd = undefined;
    handle = undefined;
  }

  async function nextSegment(): Promise<void> {
    await closeSegment();
    segment++;
    committed = 0;
  }

  /** A fresh named(), where a failed stat must not throw: true (nothing known to be lost) then. */
  const namedOrUnknown = (): boolean => {
    try { return named(true); } catch { return true; }
  };

  /** A restore the idle check started: writes and closing wait for it. */
  const settled = async () => {
    while (restoring) await restoring;
  };

  const idleCheck = setInterval(() => {
    if (writing || restoring || fd === undefined || dirty || namedOrUnknown()) return;
    restoring = restore(committed)
      .catch(() => { /* the next check, or the next batch, tries again */ })
      .finally(() => { restoring = undefined; });
  }, IDLE_CHECK_MS);
  idleCheck.unref();

  return {
    async write(frames) {
      if (restoring) await settled();
      writing = true;
      try {
        await write(frames);
      } catch (err) {
        // Cut now if possible; if not, the next write tries again before writing anything.
        if (fd !== undefined && dirty) {
          try {
            ftruncateSync(fd, committed);
            if (opts.fsync) fdatasyncSync(fd);
            dirty = false;
          } catch { /* stays dirty */ }
        }
        // Once clean, later batches go to a fresh segment: the descriptor may be what failed
        // (a disk replaced, a file removed), and a segment is never reopened. A segment that lost
        // its name keeps its descriptor: its acknowledged bytes are copied from it first. A full
        // disk is no fault of the descriptor: the next batch tries the same clean segment again,
        // rather than an outage leaving one empty segment per refused batch.
        const code = (err as NodeJS.ErrnoException).code;
        const full = code === 'ENOSPC' || code === 'EDQUOT';
        if (!dirty && (fd === undefined || (!full && namedOrUnknown()))) await nextSegment().catch(() => { fd = undefined; handle = undefined; });
        throw new Error(`the journal could not write its spool (${code ?? (err as Error).message})`, { cause: err });
      } finally {
        writing = false;
      }
    },
    async close() {
      clearInterval(idleCheck);
      await settled();
      try {
        if (fd !== undefined && !dirty && !named(true)) await restore(committed);
      } finally {
        await closeSegment();
      }
    },
  };
}
