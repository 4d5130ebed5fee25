/** The log's verifier key, given on the command line or in a file (read with a bound). */
import { existsSync } from 'node:fs';
import { parseVerifierKey, type NoteVerifier } from '../ledger/index.js';
import { usageError } from './failure.js';
import { MAX_KEY_FILE_BYTES, readFileText } from './input-limits.js';
import { messageOf } from './ledger-bundle.js';

/** A value with no `+` is no verifier key (name+id+key); with a `/` or `.` it is a file's name. */
const namesFile = (value: string) => !value.includes('+') && /[/.]/.test(value);

/** `--key`: a verifier key (name+id+base64), or a file holding one. */
export async function loadVerifierKey(value: string): Promise<NoteVerifier> {
  const text = (existsSync(value) || namesFile(value) ? await readFileText(value, MAX_KEY_FILE_BYTES) : value).trim();
  try {
    return parseVerifierKey(text);
  } catch (err) {
    throw usageError(`--key: ${messageOf(err)} (give the log's verifier key, name+id+key, or a file holding it)`);
  }
}
