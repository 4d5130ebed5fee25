/**
 * C2SP signed notes and tlog checkpoints, checked with Web Crypto's Ed25519 (src/ledger/note.ts,
 * checkpoint.ts on the server). A verifier key is "<name>+<8 hex key id>+<base64(0x01 || key)>";
 * the key id is the first four bytes of SHA-256(name || "\n" || 0x01 || key); a signature line is
 * "— <name> <base64(key id || signature)>". The checkpoint's origin must be the key's name.
 */
import { buffer, concat, equalBytes, fromBase64, utf8 } from './bytes.js';
import { HASH_SIZE, sha256 } from './merkle.js';

export interface VerifierKey { readonly name: string; readonly keyId: Uint8Array; readonly publicKey: Uint8Array }
export interface Checkpoint { readonly origin: string; readonly size: number; readonly root: Uint8Array; readonly extensions: readonly string[] }

const SIG_PREFIX = '\u2014 ';
const BAD_NAME = /[\s\p{Cc}+]/u;

export async function parseVerifierKey(vkey: string): Promise<VerifierKey> {
  const first = vkey.indexOf('+');
  const second = first < 0 ? -1 : vkey.indexOf('+', first + 1);
  if (second < 0) throw new Error('the verifier key is not name+id+key');
  const name = vkey.slice(0, first);
  const id = vkey.slice(first + 1, second);
  if (name === '' || BAD_NAME.test(name)) throw new Error('the verifier key has a malformed name');
  if (!/^[0-9a-f]{8}$/.test(id)) throw new Error('the verifier key id is not 8 hex digits');
  const key = fromBase64(vkey.slice(second + 1));
  if (key.length !== 33 || key[0] !== 0x01) throw new Error('the verifier key is not an Ed25519 key');
  const publicKey = key.subarray(1);
  const keyId = (await sha256(concat(utf8(`${name}\n`), key))).subarray(0, 4);
  if (Array.from(keyId, (b) => b.toString(16).padStart(2, '0')).join('') !== id) throw new Error('the verifier key id does not match its name and key');
  return { name, keyId, publicKey };
}

/** The checkpoint body of C2SP tlog-checkpoint, parsed strictly. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new Error('the checkpoint does not end in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) throw new Error('the checkpoint has fewer than three lines');
  const [origin, sizeText, rootText, ...extensions] = lines;
  if (origin === '' || BAD_NAME.test(origin)) throw new Error('the checkpoint origin is malformed');
  if (!/^(0|[1-9]\d{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) throw new Error('the checkpoint size is not a decimal integer');
  const root = fromBase64(rootText);
  if (root.length !== HASH_SIZE) throw new Error('the checkpoint root is not 32 bytes');
  if (extensions.some((e) => e === '')) throw new Error('the checkpoint has an empty extension line');
  return { origin, size: Number(sizeText), root, extensions };
}

/**
 * Opens a signed checkpoint: the log key's signature over the note text must verify, and the
 * checkpoint's origin must be the key's name. Other signatures (cosigners) are ignored.
 */
export async function openCheckpoint(note: string, key: VerifierKey): Promise<Checkpoint> {
  const split = note.lastIndexOf('\n\n');
  if (split < 0) throw new Error('the checkpoint note has no blank line before its signatures');
  const text = note.slice(0, split + 1);
  const sigBlock = note.slice(split + 2);
  if (!sigBlock.endsWith('\n')) throw new Error('the signatures do not end in a newline');
  const publicKey = await crypto.subtle.importKey('raw', buffer(key.publicKey), { name: 'Ed25519' }, false, ['verify']);
  let signed = false;
  for (const line of sigBlock.slice(0, -1).split('\n')) {
    if (!line.startsWith(SIG_PREFIX)) throw new Error('a signature line does not start with an em dash');
    const [name, b64] = line.slice(SIG_PREFIX.length).split(' ');
    if (name !== key.name || b64 === undefined) continue;
    const raw = fromBase64(b64);
    if (raw.length !== 68 || !equalBytes(raw.subarray(0, 4), key.keyId)) continue;
    if (!(await crypto.subtle.verify({ name: 'Ed25519' }, publicKey, buffer(raw.subarray(4)), buffer(utf8(text))))) {
      throw new Error(`the signature of ${key.name} does not verify`);
    }
    signed = true;
  }
  if (!signed) throw new Error('the checkpoint has no signature by the log key');
  const checkpoint = parseCheckpoint(text);
  if (checkpoint.origin !== key.name) throw new Error('the checkpoint origin is not the log key\'s name');
  return checkpoint;
}
