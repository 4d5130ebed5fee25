/**
 * `posix_fadvise(fd, offset, length, POSIX_FADV_DONTNEED)`, which Node's `fs` does not expose,
 * through the small `fadvise` native binding (an optional dependency). Undefined where it is not
 * available — another OS, or an install that could not build the binding — and callers then simply
 * leave the page cache to the kernel.
 *
 * @example
 *   dropCachedPages?.(fd, 0, 64 << 20); // forget the first 64 MiB of fd's file (clean pages only)
 */
import { createRequire } from 'node:module';

const POSIX_FADV_DONTNEED = 4; // Linux

interface FadviseBinding {
  posix_fadvise(fd: number, offset: number, length: number, advice: number): number;
  failed_to_load?: boolean;
}

function load(): FadviseBinding | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const binding = createRequire(import.meta.url)('fadvise') as FadviseBinding;
    return binding.failed_to_load ? undefined : binding;
  } catch {
    return undefined;
  }
}

const binding = load();

/**
 * Asks the kernel to drop the clean cached pages of a byte range (dirty pages stay until written
 * back). Returns 0 or an errno number.
 */
export const dropCachedPages: ((fd: number, offset: number, length: number) => number) | undefined = binding
  ? (fd, offset, length) => binding.posix_fadvise(fd, offset, length, POSIX_FADV_DONTNEED)
  : undefined;
