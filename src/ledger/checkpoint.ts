/**
 * The checkpoint body of C2SP tlog-checkpoint: the log's origin, the tree size in decimal, the
 * root hash in base64, then optional extension lines, each line ending in a newline. Parsing is
 * strict (one spelling per checkpoint), so two different bodies never claim the same tree head.
 */
import { invalid } from '../errors/index.js';
import { HASH_SIZE } from './hash.js';

/** The longest checkpoint body accepted; real ones are about a hundred bytes. */
export const MAX_CHECKPOINT_BYTES = 4096;
/** The most extension lines accepted. */
export const MAX_CHECKPOINT_EXTENSIONS = 16;

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Buffer;
  readonly extensions: readonly string[];
}

const badCheckpoint = (why: string) => invalid(`malformed checkpoint: ${why}`, 'ledger_invalid_checkpoint');

/** Unicode spaces, controls or plus are not allowed in an origin (signed-note key names share the rule). */
const BAD_ORIGIN = /[\s\p{Cc}+]/u;

function checkOrigin(origin: string): void {
  if (origin === '') throw badCheckpoint('the origin line is empty');
  if (BAD_ORIGIN.test(origin)) throw badCheckpoint('the origin has a space, control character or plus');
}

function checkExtension(line: string): void {
  if (line === '') throw badCheckpoint('an extension line is empty');
  if (/\p{Cc}/u.test(line)) throw badCheckpoint('an extension line has a control character');
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  checkOrigin(checkpoint.origin);
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) throw badCheckpoint('the tree size is not a non-negative integer');
  if (checkpoint.root.length !== HASH_SIZE) throw badCheckpoint(`the root hash is not ${HASH_SIZE} bytes`);
  if (checkpoint.extensions.length > MAX_CHECKPOINT_EXTENSIONS) throw badCheckpoint(`more than ${MAX_CHECKPOINT_EXTENSIONS} extension lines`);
  checkpoint.extensions.forEach(checkExtension);
  const lines = [checkpoint.origin, String(checkpoint.size), checkpoint.root.toString('base64'), ...checkpoint.extensions];
  const text = lines.map((l) => `${l}\n`).join('');
  if (Buffer.byteLength(text) > MAX_CHECKPOINT_BYTES) throw badCheckpoint(`over ${MAX_CHECKPOINT_BYTES} bytes`);
  return text;
}

/** A checkpoint body (a signed note's text, after its signatures are verified). */
export function parseCheckpoint(text: string): Checkpoint {
  if (Buffer.byteLength(text) > MAX_CHECKPOINT_BYTES) throw badCheckpoint(`over ${MAX_CHECKPOINT_BYTES} bytes`);
  if (!text.endsWith('\n')) throw badCheckpoint('the last line does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw badCheckpoint('fewer than three lines');
  const [origin, sizeText, rootText, ...extensions] = lines;
  checkOrigin(origin);
  if (!/^(0|[1-9]\d*)$/.test(sizeText)) throw badCheckpoint('the tree size is not a decimal number without leading zeros');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw badCheckpoint('the tree size is too large');
  const root = Buffer.from(rootText, 'base64');
  if (root.length !== HASH_SIZE || root.toString('base64') !== rootText) throw badCheckpoint(`the root hash is not ${HASH_SIZE} bytes in standard base64`);
  if (extensions.length > MAX_CHECKPOINT_EXTENSIONS) throw badCheckpoint(`more than ${MAX_CHECKPOINT_EXTENSIONS} extension lines`);
  extensions.forEach(checkExtension);
  return { origin, size, root, extensions };
}
