/**
 * The login token file, ~/.sealtrail-token — Sealtrail's ~/.vault-token (vault's internal token
 * helper). Written owner-only (0600) because it holds a live credential.
 */
import { chmod, writeFile } from 'node:fs/promises';
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

export async function storeToken(homeDir: string, token: string): Promise<void> {
  const path = tokenFilePath(homeDir);
  await writeFile(path, token, { mode: 0o600 });
  await chmod(path, 0o600); // writeFile's mode applies only when it creates the file
}
