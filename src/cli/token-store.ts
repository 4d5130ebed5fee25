/**
 * The login token file, ~/.sealtrail-token — Sealtrail's ~/.vault-token (vault's internal token
 * helper). Written owner-only (0600) because it holds a live credential.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileBytesUpTo, MAX_TOKEN_INPUT_BYTES } from './input-limits.js';

export const TOKEN_FILE_NAME = '.sealtrail-token';

export function tokenFilePath(homeDir: string): string {
  return join(homeDir, TOKEN_FILE_NAME);
}

/** The stored token, or undefined when there is no (non-empty) token file. */
export async function readStoredToken(homeDir: string): Promise<string | undefined> {
  try {
    const text = (await fileBytesUpTo(tokenFilePath(homeDir), MAX_TOKEN_INPUT_BYTES)).toString('utf8').trim();
    return text === '' ? undefined : text;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Writes the token to a new owner-only file beside it and renames that over the token file: a
 * file or symlink someone else put at the path is replaced, never written through (a link to a
 * file they can read would have handed them the token), and no reader sees half a token.
 */
export async function storeToken(homeDir: string, token: string): Promise<void> {
  const path = tokenFilePath(homeDir);
  const fresh = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  // O_EXCL: created here, by this process, 0600 from its first byte.
  const file = await open(fresh, 'wx', 0o600);
  try {
    await file.writeFile(token);
    await file.sync();
    await file.close();
    await rename(fresh, path);
  } catch (err) {
    await file.close().catch(() => undefined);
    await rm(fresh, { force: true });
    throw err;
  }
}
