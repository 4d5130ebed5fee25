/**
 * A checkpoint as the log publishes it: the body of checkpoint.ts signed as a C2SP signed note by
 * the log's key, whose name is the checkpoint's origin (tlog-checkpoint). Opening one checks the
 * log's own signature, then the body; cosignatures by other keys ride along unverified.
 */
import { invalid } from '../errors/index.js';
import { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint.js';
import { openNote, signNote, type NoteSignature, type NoteSigner, type NoteVerifier } from './note.js';

export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  /** The note's text: the exact bytes the signatures cover. */
  readonly text: string;
  readonly cosignatures: readonly NoteSignature[];
}

/** The signed checkpoint: the log's key must be named as the origin. */
export function signCheckpoint(checkpoint: Checkpoint, signer: NoteSigner): string {
  if (signer.name !== checkpoint.origin) throw invalid('the log key is not named as the checkpoint origin', 'ledger_invalid_checkpoint');
  return signNote(formatCheckpoint(checkpoint), [signer]);
}

/**
 * Opens a signed checkpoint with the log's verifier key: a valid signature by that key is required,
 * and the checkpoint's origin must be that key's name.
 */
export function openCheckpoint(message: Uint8Array | string, logKey: NoteVerifier): OpenedCheckpoint {
  const note = openNote(message, [logKey]);
  const checkpoint = parseCheckpoint(note.text);
  if (checkpoint.origin !== logKey.name) throw invalid('the checkpoint origin is not the log key\'s name', 'ledger_invalid_checkpoint');
  return { checkpoint, text: note.text, cosignatures: note.unverified };
}
