/**
 * A small state file written whole or not at all: a crash (kill -9, power loss) or a failed write
 * leaves the old file or the new one, never an empty or half-written one. The new content goes to
 * `<name>.tmp`, created here ('wx': a link planted at that name is not followed, and the mode is
 * the file's from its first byte), is synced, and is renamed over the name; the directory is then
 * synced so that the rename itself survives. Without `sync` (a file that is rebuilt from elsewhere
 * after a power loss, such as the ledger's checkpoint) nothing is synced: still whole or absent
 * after a crash of the process.
 */
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

export async function replaceFile(path: string, data: string | Uint8Array, mode: number, sync = true): Promise<void> {
  const temp = `${path}.tmp`;
  await rm(temp, { force: true });
  const file = await open(temp, 'wx', mode);
  try {
    await file.writeFile(data);
    if (sync) await file.sync();
  } catch (err) {
    await file.close();
    await rm(temp, { force: true });
    throw err;
  }
  await file.close();
  await rename(temp, path);
  if (sync) await syncDirectory(dirname(path));
}

/** Makes the directory's entries (a rename, a new file) durable. */
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
