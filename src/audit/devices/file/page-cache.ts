/**
 * Keeps what an audit file occupies in the page cache bounded. An audit log is written once and
 * read, if at all, by a shipper following its end; yet the kernel keeps every appended page
 * cached until memory runs short, so a busy device fills gigabytes of cache with lines nobody
 * will read again. On virtual machines whose free memory is handed back to the hypervisor (virtio
 * balloon free-page reporting, as here), each of those new pages also costs a host page fault
 * when first touched: appends went from 0.6 to 3–4 µs per KiB once the cache had grown
 * (BENCHMARKS.md, seventh session).
 *
 * So once `windowBytes + stepBytes` have been written past the last release point, the file is
 * fdatasync'ed on libuv's threadpool (the event loop never waits for it) and the pages older than
 * the newest `windowBytes` are dropped with POSIX_FADV_DONTNEED, a slice per event-loop turn. The
 * window keeps the recent lines cached for shippers tailing the file; older ones are read from
 * disk if anyone asks. Freed pages are reused by the next appends while they are still warm.
 *
 * Durable mode keeps its own fdatasync per batch; this runs beside it and finds little to flush.
 */
import type { FileHandle } from 'node:fs/promises';
import { dropCachedPages } from '../../../lib/fadvise.js';

export interface PageCacheTrimOptions {
  /** Most recent bytes left cached (default 64 MiB). */
  windowBytes?: number;
  /** Bytes written between two releases (default 16 MiB). */
  stepBytes?: number;
  /** Bytes dropped per turn of the event loop (default 1 MiB). */
  sliceBytes?: number;
  /**
   * The page-dropping call; when the key is absent, posix_fadvise if its binding is available.
   * Explicitly undefined: none (the trimmer does nothing).
   */
  drop?: (fd: number, offset: number, length: number) => number;
  /** Called after each release. */
  onRelease?(): void;
  /** Told once per failure episode when the background flush fails (EIO, ENOSPC, ...). */
  onError(err: NodeJS.ErrnoException): void;
}

export interface PageCacheTrimmer {
  /** After each write to `fh`: the file's size is now `size`. */
  wrote(fh: FileHandle, size: number): void;
  /** The current descriptor is about to be closed; nothing more is released through it. */
  closing(): void;
  /** Bytes from the start of the current file that have been released. */
  readonly releasedBytes: number;
  /** False where page dropping is unavailable: then this does nothing at all. */
  readonly enabled: boolean;
}

export const DEFAULT_CACHE_WINDOW_BYTES = 64 << 20;
export const DEFAULT_CACHE_STEP_BYTES = 16 << 20;
export const DEFAULT_CACHE_SLICE_BYTES = 1 << 20;

export function createPageCacheTrimmer(options: PageCacheTrimOptions): PageCacheTrimmer {
  const windowBytes = options.windowBytes ?? DEFAULT_CACHE_WINDOW_BYTES;
  const stepBytes = options.stepBytes ?? DEFAULT_CACHE_STEP_BYTES;
  const sliceBytes = options.sliceBytes ?? DEFAULT_CACHE_SLICE_BYTES;
  const drop = 'drop' in options ? options.drop : dropCachedPages;
  let current: FileHandle | undefined;
  let released = 0;
  let inFlight = false;
  let failing = false;

  /**
   * Drops [released, upTo) a slice per turn of the event loop: freeing pages costs ~0.13 ms per
   * MiB here, which would otherwise hold every request for 2 ms at a time.
   */
  function dropSlices(fh: FileHandle, upTo: number): void {
    // closing() clears `current` before the descriptor is closed, so while it is still `fh`
    // the number is fh's and has not been reused for another file.
    if (current !== fh) {
      inFlight = false;
      return;
    }
    const end = Math.min(upTo, released + sliceBytes);
    drop!(fh.fd, released, end - released);
    released = end;
    if (end < upTo) {
      setImmediate(dropSlices, fh, upTo);
      return;
    }
    inFlight = false;
    options.onRelease?.();
  }

  function release(fh: FileHandle, upTo: number): void {
    inFlight = true;
    fh.datasync().then(
      () => {
        failing = false;
        dropSlices(fh, upTo);
      },
      (err: NodeJS.ErrnoException) => {
        inFlight = false;
        if (!failing) options.onError(err);
        failing = true;
      },
    );
  }

  return {
    wrote(fh, size) {
      if (!drop) return;
      if (fh !== current) {
        current = fh;
        released = 0;
      }
      if (!inFlight && size - released >= windowBytes + stepBytes) release(fh, size - windowBytes);
    },
    closing() { current = undefined; },
    get releasedBytes() { return released; },
    enabled: drop !== undefined,
  };
}
