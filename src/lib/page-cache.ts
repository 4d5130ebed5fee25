/**
 * Keeps what an append-only file (an audit file, the journal's spool) occupies in the page cache
 * bounded. Such a file is written once and read, if at all, by a reader following its end; yet
 * the kernel keeps every appended page cached until memory runs short, so a busy writer fills
 * gigabytes of cache with bytes nobody will read again. On virtual machines whose free memory is handed back to the hypervisor (virtio
 * balloon free-page reporting, as here), each of those new pages also costs a host page fault
 * when first touched: appends went from 0.6 to 3–4 µs per KiB once the cache had grown
 * (BENCHMARKS.md, "Where an audited read's time goes").
 *
 * So once `windowBytes + stepBytes` have been written past the last release point, the file is
 * flushed to disk and the pages older than the newest `windowBytes` are dropped
 * (lib/fadvise.ts: fdatasync + POSIX_FADV_DONTNEED on a worker thread; the event loop never waits
 * for it). The window keeps the recent lines cached for shippers tailing the file; older ones are
 * read from disk if anyone asks. Freed pages are reused by the next appends while still warm.
 *
 * Durable mode keeps its own fdatasync per batch; this runs beside it and finds little to flush.
 */
import { flushAndDropPages } from './fadvise.js';

type Release = (fd: number, offset: number, length: number) => Promise<void>;

export interface PageCacheTrimOptions {
  /** Most recent bytes left cached (default 64 MiB). */
  windowBytes?: number;
  /** Bytes written between two releases (default 16 MiB). */
  stepBytes?: number;
  /**
   * Flushes and drops a range; when the key is absent, lib/fadvise.ts's if its binding loaded.
   * Explicitly undefined: none (the trimmer does nothing).
   */
  release?: Release;
  /** Called after each release. */
  onRelease?(): void;
  /** Told once per failure episode when a release fails (EIO, ENOSPC, ...). */
  onError(err: NodeJS.ErrnoException): void;
}

export interface PageCacheTrimmer {
  /** After each write to `fd`: its file's size is now `size`. */
  wrote(fd: number, size: number): void;
  /**
   * The current descriptor is about to be closed: resolves once no release uses it any more (at
   * most one flush), after which nothing more is released through it.
   */
  closing(): Promise<void>;
  /** Bytes from the start of the current file that have been released. */
  readonly releasedBytes: number;
  /** False where page dropping is unavailable: then this does nothing at all. */
  readonly enabled: boolean;
}

export const DEFAULT_CACHE_WINDOW_BYTES = 64 << 20;
export const DEFAULT_CACHE_STEP_BYTES = 16 << 20;

export function createPageCacheTrimmer(options: PageCacheTrimOptions): PageCacheTrimmer {
  const windowBytes = options.windowBytes ?? DEFAULT_CACHE_WINDOW_BYTES;
  const stepBytes = options.stepBytes ?? DEFAULT_CACHE_STEP_BYTES;
  const release = 'release' in options ? options.release : flushAndDropPages;
  let current: number | undefined;
  let released = 0;
  let inFlight: Promise<void> | undefined;
  let failing = false;
  /** After a failed release, the size the file must reach before the next try (a step later). */
  let retryAt = 0;

  function start(fd: number, upTo: number): void {
    inFlight = release!(fd, released, upTo - released).then(
      () => {
        failing = false;
        if (current !== fd) return; // closed meanwhile: the next file starts from 0
        released = upTo;
        options.onRelease?.();
      },
      (err: NodeJS.ErrnoException) => {
        if (!failing) options.onError(err);
        failing = true;
        retryAt = upTo + windowBytes + stepBytes; // a failing disk is not asked again every batch
      },
    ).finally(() => { inFlight = undefined; });
  }

  return {
    wrote(fd, size) {
      if (!release) return;
      if (fd !== current) {
        current = fd;
        released = 0;
        retryAt = 0;
      }
      if (!inFlight && size >= retryAt && size - released >= windowBytes + stepBytes) start(fd, size - windowBytes);
    },
    async closing() {
      current = undefined;
      await inFlight;
    },
    get releasedBytes() { return released; },
    enabled: release !== undefined,
  };
}
