/**
 * The spool's writing end, on the thread that answers requests: each batch of records is one
 * write(2) at the end of the current segment — the same cost as an audit file device — and the
 * batch is acknowledged when that write (and with `fsync`, an fdatasync) has returned. Indexing
 * happens later, on the indexer thread, which reads only up to the acknowledged position.
 *
 * A failed batch leaves nothing behind: the segment is cut back to the last acknowledged byte
 * before anything else is written, and until that cut succeeds every batch fails (fail-closed).
 * Each process starts a fresh segment, so a segment is only ever appended to by one process.
 */
import { closeSync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
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
}

/**
 * The spool's recent bytes kept in the page cache (for the indexer, which reads just behind the
 * writer); older ones are flushed and dropped as the segment grows (lib/page-cache.ts). A lagging
 * indexer reads them back from the disk.
 */
const CACHE_WINDOW_BYTES = 16 << 20;
const CACHE_STEP_BYTES = 8 << 20;

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
  /** Bytes of the current segment that belong to acknowledged batches. */
  let committed = 0;
  /** A failed batch's bytes may still be in the segment: cut them before writing again. */
  let dirty = false;
  const cache = createPageCacheTrimmer({ windowBytes: CACHE_WINDOW_BYTES, stepBytes: CACHE_STEP_BYTES, onError: opts.onCacheError });

  const syncDirectory = () => {
    const dirFd = openSync(opts.dir, 'r');
    try { fsyncSync(dirFd); } finally { closeSync(dirFd); }
  };

  async function current(): Promise<number> {
    if (fd === undefined) {
      if (opts.fsync) {
        handle = await open(segmentPath(opts.dir, segment), 'a', 0o600);
        fd = handle.fd;
        // The new file's name must survive a crash as much as its contents.
        syncDirectory();
      } else {
        fd = openSync(segmentPath(opts.dir, segment), 'a', 0o600);
      }
    }
    if (dirty) {
      ftruncateSync(fd, committed);
      dirty = false;
    }
    return fd;
  }

  async function write(buf: Buffer): Promise<void> {
    if (committed > 0 && committed + buf.length > SEGMENT_BYTES && !dirty) await nextSegment();
    const target = await current();
    dirty = true;
    if (handle) {
      for (let off = 0; off < buf.length; ) off += (await handle.write(buf, off, buf.length - off)).bytesWritten;
      await handle.datasync();
    } else {
      for (let off = 0; off < buf.length; ) off += writeSync(target, buf, off, buf.length - off);
    }
    dirty = false;
    committed += buf.length;
    cache.wrote(target, committed);
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

  return {
    async write(frames) {
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
        // (a disk replaced, a file removed), and a segment is never reopened.
        if (!dirty) await nextSegment().catch(() => { fd = undefined; handle = undefined; });
        const code = (err as NodeJS.ErrnoException).code;
        throw new Error(`the journal could not write its spool (${code ?? (err as Error).message})`, { cause: err });
      }
    },
    async close() {
      await closeSegment();
    },
  };
}
