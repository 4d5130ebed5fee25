/** The ledger commands' local inputs: the log's verifier key, and files read with a bound. */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { parseVerifierKey, type NoteVerifier } from '../ledger/index.js';
import type { CliContext } from './context.js';
import { onFile, usageError } from './failure.js';
import { messageOf } from './ledger-bundle.js';

/** A verifier key is about a hundred characters; a key file larger than this is not one. */
export const MAX_KEY_FILE_BYTES = 4096;

/** `--key`: a verifier key (name+id+base64), or a file holding one. */
export async function loadVerifierKey(value: string): Promise<NoteVerifier> {
  const text = (existsSync(value) ? await readBounded(value, MAX_KEY_FILE_BYTES, 'the key file') : value).trim();
  try {
    return parseVerifierKey(text);
  } catch (err) {
    throw usageError(`--key: ${messageOf(err)} (give the log's verifier key, name+id+key, or a file holding it)`);
  }
}

/** A file argument, or stdin for `-`; bounded, so a wrong file is refused rather than used. */
export async function readInput(ctx: CliContext, file: string, max: number, what: string): Promise<string> {
  if (file !== '-') return readBounded(file, max, what);
  const text = await ctx.io.readStdin();
  if (Buffer.byteLength(text) > max) throw usageError(`${what} is over ${max} bytes`);
  return text;
}

/** A file's text, refused unread when it is larger than `max` bytes. */
async function readBounded(file: string, max: number, what: string): Promise<string> {
  return onFile(file, async () => {
    if ((await stat(file)).size > max) throw usageError(`${what} is over ${max} bytes`);
    return (await readFile(file)).toString('utf8');
  });
}
