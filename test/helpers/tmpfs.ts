/**
 * A real, small filesystem for tests that need a full disk: a tmpfs mounted on a fresh directory.
 * Mounting needs root (as in CI and the development container); when it cannot be mounted the
 * test fails with the reason, it is never skipped.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** Writes a file until the filesystem is full (ENOSPC); returns its path. */
  fill(name?: string): string;
  unmount(): void;
}

/** `at`: an empty directory to mount on (a disk of its own inside a data directory); default a fresh one. */
export function mountTmpfs(size = '1m', at?: string): Tmpfs {
  const dir = at ?? mkdtempSync(join(tmpdir(), 'sealtrail-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const why = (err as { stderr?: Buffer }).stderr?.toString().trim() || (err as Error).message;
    throw new Error(`this test needs a real full filesystem: mounting a ${size} tmpfs on ${dir} failed (run as root): ${why}`);
  }
  return {
    dir,
    fill(name = 'filler') {
      const path = join(dir, name);
      const fd = openSync(path, 'w');
      const block = Buffer.alloc(4096, 0x2e);
      try {
        // 1 MiB holds 256 blocks: the bound (256 MiB) only guards against a filesystem that never fills.
        for (let i = 0; i < 65_536; i++) writeSync(fd, block);
        throw new Error(`${dir} did not fill up`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
      } finally {
        closeSync(fd);
      }
      return path;
    },
    unmount() {
      execFileSync('umount', [dir], { stdio: 'pipe' });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Frees what `fill` took. */
export const freeSpace = (path: string) => unlinkSync(path);
