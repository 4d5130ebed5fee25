/**
 * Puts an audit file back at a line boundary after a failed append. A write that fails part-way
 * (ENOSPC, EIO, EDQUOT) leaves the start of a batch in the file, usually ending inside a line; the
 * next successful append would be glued to that fragment and neither entry would parse. So the
 * file is cut back to the last offset known to end a complete, acknowledged batch before anything
 * else is written to it.
 *
 * When the file is smaller than that offset, something outside the sink changed it (a
 * copy-and-truncate logrotate): the offset means nothing any more, and the file is cut after its
 * last newline instead.
 */
import { open, type FileHandle } from 'node:fs/promises';

const SCAN_CHUNK_BYTES = 64 * 1024;
const NEWLINE = 0x0a;

/** The offset just past the last newline in the first `size` bytes of the file (0 if none). */
export async function lastLineEnd(fh: FileHandle, size: number): Promise<number> {
  const buf = Buffer.allocUnsafe(SCAN_CHUNK_BYTES);
  for (let end = size; end > 0; ) {
    const start = Math.max(0, end - SCAN_CHUNK_BYTES);
    const { bytesRead } = await fh.read(buf, 0, end - start, start);
    if (bytesRead !== end - start) throw new Error('audit file changed while its end was being repaired');
    const at = buf.subarray(0, bytesRead).lastIndexOf(NEWLINE);
    if (at >= 0) return start + at + 1;
    end = start;
  }
  return 0;
}

/** The append-only descriptor cannot read: the path is opened to read, if it is still that file. */
async function lastLineEndOf(path: string, file: { dev: number; ino: number }, size: number): Promise<number> {
  const reader = await open(path, 'r');
  try {
    const info = await reader.stat();
    if (info.dev !== file.dev || info.ino !== file.ino) throw new Error('audit file was replaced while its end was being repaired');
    return await lastLineEnd(reader, size);
  } finally {
    await reader.close();
  }
}

/**
 * Truncates the file open as `fh` (at `path`) to `goodSize` or, when it shrank below that, to its
 * last line end; returns its new size. Throws when it cannot: the caller must then not append.
 */
export async function cutToLineBoundary(fh: FileHandle, path: string, goodSize: number): Promise<number> {
  const info = await fh.stat();
  const target = info.size >= goodSize ? goodSize : await lastLineEndOf(path, info, info.size);
  if (info.size !== target) await fh.truncate(target);
  return target;
}
