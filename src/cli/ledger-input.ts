/** The ledger commands' local inputs: the log's verifier key, and files read with a bound. */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parseVerifierKey, type NoteVerifier } from '../ledger/index.js';
import type { CliContext } from './context.js';
import { usageError } from './failure.js';
import { messageOf } from './ledger-bundle.js';

/** `--key`: a verifier key (name+id+base64), or a file holding one. */
export async function loadVerifierKey(value: string): Promise<NoteVerifier> {
  const text = existsSync(value) ? (await readFile(value, 'utf8')).trim() : value.trim();
  try {
    return parseVerifierKey(text);
  } catch (err) {
    throw usageError(`--key: ${messageOf(err)} (give the log's verifier key, name+id+key, or a file holding it)`);
  }
}

/** A file argument, or stdin for `-`; bounded, so a wrong file is refused rather than used. */
export async function readInput(ctx: CliContext, file: string, max: number, what: string): Promise<string> {
  const text = file === '-' ? await ctx.io.readStdin() : (await readFile(file)).toString('utf8');
  if (Buffer.byteLength(text) > max) throw usageError(`${what} is over ${max} bytes`);
  return text;
}
