/**
 * The unseal key file, for auto-unseal and dev mode's persistent data directory: the 32-byte unseal
 * key as base64 or hex on one line. Whoever can read this file can unseal the server, so a file
 * open to group or others is refused rather than trusted.
 */
import { constants as fsConstants, type Stats } from 'node:fs';
import { stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SealtrailError, invalid } from '../../errors/index.js';
import { KEY_BYTES } from './aead.js';
import { makeDirectory } from '../../lib/make-dir.js';
import { replaceFile } from '../../lib/atomic-file.js';
import { openRegularFile, type RegularFile } from '../../lib/regular-file.js';

/** Reads and decodes the unseal key; refuses anything but a regular file with no group/other permission bits. */
export async function readUnsealKeyFile(path: string): Promise<Uint8Array> {
  const { file: handle, info } = await openKeyFile(path, fsConstants.O_RDONLY);
  let buf: Buffer | undefined;
  try {
    const { mode, size } = info;
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      const shown = (mode & 0o777).toString(8).padStart(4, '0');
      throw invalid(
        `unseal key file ${path} is accessible by group or others (mode ${shown}); run: chmod 600 ${path}`,
        'unseal_key_file_permissions',
      );
    }
    if (size > MAX_KEY_FILE_BYTES) throw invalid(`unseal key file must hold the ${KEY_BYTES}-byte unseal key as base64 or hex`, 'invalid_unseal_key_file');
    buf = await handle.readFile();
    return decodeUnsealKey(buf.toString('utf8').trim());
  } finally {
    buf?.fill(0);
    await handle.close();
  }
}

/**
 * Writes the unseal key as base64 with mode 0600, creating the parent directory (0700): whole or
 * not at all (a new file renamed over the name, lib/atomic-file.ts), so that a crash never leaves
 * an empty or torn key file. A FIFO or directory at the name is refused, not replaced.
 */
export async function writeUnsealKeyFile(path: string, key: Uint8Array): Promise<void> {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) {
    throw invalid(`unseal key must be ${KEY_BYTES} bytes`, 'invalid_unseal_key');
  }
  await makeDirectory(dirname(path), 0o700);
  const existing = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new SealtrailError('invalid', 'unseal_key_file_unreadable', `unseal key file ${path} cannot be read`, { cause: err });
  });
  if (existing !== undefined && !existing.isFile()) throw notRegular(path);
  const text = Buffer.from(Buffer.from(key).toString('base64') + '\n');
  try {
    await replaceFile(path, text, 0o600);
  } finally {
    text.fill(0);
  }
}

/** Far more than a key in any encoding with surrounding whitespace. */
const MAX_KEY_FILE_BYTES = 4096;

/**
 * Opened by openRegularFile, so that a FIFO (or a device) put in the key file's place is refused
 * rather than holding the server's start forever, and the file checked is the file used. Links are
 * followed: mounted secrets are symbolic links.
 */
async function openKeyFile(path: string, flags: number, mode?: number): Promise<{ file: FileHandle; info: Stats }> {
  let opened: RegularFile;
  try {
    opened = await openRegularFile(path, { followLinks: true, flags, mode });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(`unseal key file ${path} does not exist`, 'unseal_key_file_missing');
    throw new SealtrailError('invalid', 'unseal_key_file_unreadable', `unseal key file ${path} cannot be read`, { cause: err });
  }
  if ('refused' in opened) throw notRegular(path);
  return opened;
}

const notRegular = (path: string): SealtrailError => invalid(`unseal key file ${path} is not a regular file`, 'unseal_key_file_not_regular');

const HEX = /^[0-9a-fA-F]+$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;

function decodeUnsealKey(text: string): Uint8Array {
  let bytes: Buffer | undefined;
  if (text.length === KEY_BYTES * 2 && HEX.test(text)) bytes = Buffer.from(text, 'hex');
  else if (BASE64.test(text)) bytes = Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64');
  if (bytes === undefined || bytes.length !== KEY_BYTES) {
    bytes?.fill(0);
    throw invalid(`unseal key file must hold the ${KEY_BYTES}-byte unseal key as base64 or hex`, 'invalid_unseal_key_file');
  }
  const key = new Uint8Array(bytes);
  bytes.fill(0);
  return key;
}
