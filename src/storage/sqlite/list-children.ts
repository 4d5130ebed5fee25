/**
 * Vault list semantics (immediate children of a prefix) over an ordered key index, without visiting
 * every descendant: leaves are read in one sequential scan; when a folder turns out to be large the
 * scan seeks past it instead of walking its contents. Only keys are read, never values.
 */
import { afterFolder, prefixSuccessor } from './key-range.js';

/** Iterates keys `>= from` (and `< until` when given) in ascending order. */
export type KeyScan = (from: string, until: string | undefined) => IterableIterator<string>;

/** Rows of one folder read sequentially before seeking past the rest of it instead. */
const FOLDER_READ_AHEAD = 8;

export function listChildren(scan: KeyScan, prefix: string): string[] {
  const out: string[] = [];
  const until = prefixSuccessor(prefix);
  let from: string | undefined = prefix;
  while (from !== undefined) {
    from = scanFrom(scan(from, until), prefix, out);
  }
  // SQLite orders by UTF-8 bytes; callers expect JavaScript's (UTF-16) order, as in memory storage.
  return out.sort();
}

/** Consumes one scan; returns where to resume (a seek past a large folder) or undefined when done. */
function scanFrom(rows: IterableIterator<string>, prefix: string, out: string[]): string | undefined {
  let folder = '';
  let inFolder = 0;
  try {
    for (const key of rows) {
      if (!key.startsWith(prefix)) return undefined;
      if (folder !== '' && key.startsWith(folder)) {
        if (++inFolder >= FOLDER_READ_AHEAD) return afterFolder(folder);
        continue;
      }
      const rest = key.slice(prefix.length);
      const slash = rest.indexOf('/');
      if (slash === -1) {
        folder = '';
        out.push(rest);
      } else {
        folder = key.slice(0, prefix.length + slash + 1);
        inFolder = 0;
        out.push(rest.slice(0, slash + 1));
      }
    }
    return undefined;
  } finally {
    // Releases the statement so the next seek (or any other query) can run on the connection.
    rows.return?.();
  }
}
