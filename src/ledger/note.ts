/**
 * C2SP signed notes with Ed25519 (algorithm 1): a text ending in a newline, a blank line, then
 * signature lines "— <key name> <base64(key id || signature)>". The key id is the first four
 * bytes of SHA-256(name || "\n" || 0x01 || public key), so a signature names the exact key.
 * A verifier key is "<name>+<8 hex key id>+<base64(0x01 || public key)>"; Go's signer keys are
 * "PRIVATE+KEY+<name>+<key id>+<base64(0x01 || 32-byte seed)>".
 */
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { invalid } from '../errors/index.js';

/** Signatures parsed per note at most (as Go's note package), so a huge note cannot cost forever. */
export const MAX_NOTE_SIGNATURES = 100;
/** The largest signed note accepted (checkpoints with a few signatures are well under 1 KiB). */
export const MAX_NOTE_BYTES = 65536;

const ALG_ED25519 = 0x01;
const SIG_PREFIX = '\u2014 ';
// DER headers of an Ed25519 PKCS#8 private key and SPKI public key; the raw key follows each.
const PKCS8_ED25519 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_ED25519 = Buffer.from('302a300506032b6570032100', 'hex');

export interface NoteVerifier { readonly name: string; readonly keyId: number; readonly publicKey: KeyObject }
export interface NoteSigner { readonly name: string; readonly keyId: number; readonly privateKey: KeyObject }
export interface NoteSignature { readonly name: string; readonly keyId: number; readonly signature: Buffer }
export interface OpenedNote {
  readonly text: string;
  /** Signatures by known keys, each verified. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys not among the verifiers, kept unchecked (a cosigner's, say). */
  readonly unverified: readonly NoteSignature[];
}

const badKey = (why: string) => invalid(`malformed key: ${why}`, 'ledger_invalid_key');
const badNote = (why: string) => invalid(`malformed note: ${why}`, 'ledger_invalid_note');

/** Non-empty, no Unicode space, no plus, no control character. */
export function isValidKeyName(name: string): boolean {
  return name !== '' && !/[\s\p{Cc}+]/u.test(name);
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw badKey('not an Ed25519 key');
  const der = (publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey).export({ format: 'der', type: 'spki' });
  return der.subarray(SPKI_ED25519.length);
}

/** The key id of an Ed25519 key under a name. */
export function keyId(name: string, publicKey: KeyObject): number {
  const sum = createHash('sha256').update(name).update('\n').update(Buffer.from([ALG_ED25519])).update(rawPublicKey(publicKey)).digest();
  return sum.readUInt32BE(0);
}

const hex8 = (id: number) => id.toString(16).padStart(8, '0');

export function ed25519PrivateKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw badKey('an Ed25519 seed is 32 bytes');
  return createPrivateKey({ key: Buffer.concat([PKCS8_ED25519, seed]), format: 'der', type: 'pkcs8' });
}

export function ed25519PublicKeyFromRaw(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw badKey('an Ed25519 public key is 32 bytes');
  return createPublicKey({ key: Buffer.concat([SPKI_ED25519, raw]), format: 'der', type: 'spki' });
}

export function noteSigner(name: string, privateKey: KeyObject): NoteSigner {
  if (!isValidKeyName(name)) throw badKey('the key name is empty or has a space, control character or plus');
  if (privateKey.type !== 'private' || privateKey.asymmetricKeyType !== 'ed25519') throw badKey('not an Ed25519 private key');
  return { name, keyId: keyId(name, privateKey), privateKey };
}

export function noteVerifier(name: string, publicKey: KeyObject): NoteVerifier {
  if (!isValidKeyName(name)) throw badKey('the key name is empty or has a space, control character or plus');
  const pub = publicKey.type === 'private' ? createPublicKey(publicKey) : publicKey;
  return { name, keyId: keyId(name, pub), publicKey: pub };
}

export function formatVerifierKey(verifier: NoteVerifier): string {
  const key = Buffer.concat([Buffer.from([ALG_ED25519]), rawPublicKey(verifier.publicKey)]);
  return `${verifier.name}+${hex8(verifier.keyId)}+${key.toString('base64')}`;
}

/** The 0x01 || key bytes of a key string's last field, checked canonical base64. */
function algKey(b64: string): Buffer {
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0 || key.toString('base64') !== b64) throw badKey('the key is not standard base64');
  if (key[0] !== ALG_ED25519) throw badKey('unknown key algorithm');
  if (key.length !== 33) throw badKey('an Ed25519 key is 32 bytes');
  return key.subarray(1);
}

function parseKeyId(text: string): number {
  if (!/^[0-9a-f]{8}$/.test(text)) throw badKey('the key id is not 8 lowercase hex digits');
  return Number.parseInt(text, 16);
}

/** Splits at the first `count` pluses: the key's base64, last, may hold pluses itself. */
function fields(text: string, count: number): string[] | undefined {
  const out: string[] = [];
  let rest = text;
  for (let i = 0; i < count; i++) {
    const plus = rest.indexOf('+');
    if (plus < 0) return undefined;
    out.push(rest.slice(0, plus));
    rest = rest.slice(plus + 1);
  }
  return [...out, rest];
}

export function parseVerifierKey(vkey: string): NoteVerifier {
  const parts = fields(vkey, 2);
  if (!parts) throw badKey('a verifier key is name+id+key');
  const [name, id, b64] = parts;
  if (!isValidKeyName(name)) throw badKey('the key name is empty or has a space, control character or plus');
  const verifier = noteVerifier(name, ed25519PublicKeyFromRaw(algKey(b64)));
  if (verifier.keyId !== parseKeyId(id)) throw badKey('the key id does not match the name and key');
  return verifier;
}

/** Go's signer key form. It holds the private seed: callers keep it out of logs and errors. */
export function parseSignerKey(skey: string): NoteSigner {
  const parts = fields(skey, 4);
  if (!parts || parts[0] !== 'PRIVATE' || parts[1] !== 'KEY') throw badKey('a signer key is PRIVATE+KEY+name+id+key');
  const [, , name, id, b64] = parts;
  if (!isValidKeyName(name)) throw badKey('the key name is empty or has a space, control character or plus');
  const signer = noteSigner(name, ed25519PrivateKeyFromSeed(algKey(b64)));
  if (signer.keyId !== parseKeyId(id)) throw badKey('the key id does not match the name and key');
  return signer;
}

export function formatSignerKey(signer: NoteSigner): string {
  const jwk = signer.privateKey.export({ format: 'jwk' });
  const seed = Buffer.from(String(jwk.d), 'base64url');
  return `PRIVATE+KEY+${signer.name}+${hex8(signer.keyId)}+${Buffer.concat([Buffer.from([ALG_ED25519]), seed]).toString('base64')}`;
}

function checkText(text: string): void {
  if (!text.endsWith('\n')) throw badNote('the text does not end in a newline');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(text)) throw badNote('the text has a control character');
}

/** The signed note: `text`, a blank line, one signature line per signer. */
export function signNote(text: string, signers: readonly NoteSigner[]): string {
  checkText(text);
  if (signers.length === 0 || signers.length > MAX_NOTE_SIGNATURES) throw badNote(`a note takes 1..${MAX_NOTE_SIGNATURES} signatures`);
  const body = Buffer.from(text);
  const lines = signers.map((s) => {
    const id = Buffer.alloc(4);
    id.writeUInt32BE(s.keyId);
    const sig = sign(null, body, s.privateKey);
    return `${SIG_PREFIX}${s.name} ${Buffer.concat([id, sig]).toString('base64')}\n`;
  });
  return `${text}\n${lines.join('')}`;
}

/**
 * Parses a signed note and checks its signatures against `verifiers`. A signature by a known key
 * that does not verify, or a note no known key signed, is rejected (ledger_unverified_note).
 */
export function openNote(message: Uint8Array | string, verifiers: readonly NoteVerifier[]): OpenedNote {
  const bytes = typeof message === 'string' ? Buffer.from(message) : Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  if (bytes.length > MAX_NOTE_BYTES) throw badNote(`over ${MAX_NOTE_BYTES} bytes`);
  let msg: string;
  try {
    msg = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw badNote('not UTF-8');
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0009\u000b-\u001f]/.test(msg)) throw badNote('a control character other than newline');
  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw badNote('no blank line before the signatures');
  const text = msg.slice(0, split + 1);
  const sigBlock = msg.slice(split + 2);
  if (sigBlock === '' || !sigBlock.endsWith('\n')) throw badNote('the signatures do not end in a newline');
  const lines = sigBlock.slice(0, -1).split('\n');
  if (lines.length > MAX_NOTE_SIGNATURES) throw badNote(`more than ${MAX_NOTE_SIGNATURES} signatures`);
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  const seen = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw badNote('a signature line does not start with an em dash and space');
    const rest = line.slice(SIG_PREFIX.length);
    const space = rest.indexOf(' ');
    const name = space < 0 ? rest : rest.slice(0, space);
    const b64 = space < 0 ? '' : rest.slice(space + 1);
    const raw = Buffer.from(b64, 'base64');
    if (!isValidKeyName(name) || raw.length < 5 || raw.toString('base64') !== b64) throw badNote('a malformed signature line');
    const sig: NoteSignature = { name, keyId: raw.readUInt32BE(0), signature: raw.subarray(4) };
    const key = `${name}+${sig.keyId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const known = verifiers.filter((v) => v.name === name && v.keyId === sig.keyId);
    if (known.length === 0) {
      unverified.push(sig);
      continue;
    }
    if (!known.some((v) => verify(null, Buffer.from(text), v.publicKey, sig.signature))) {
      throw invalid(`the signature of ${name}+${hex8(sig.keyId)} does not verify`, 'ledger_unverified_note');
    }
    verified.push(sig);
  }
  if (verified.length === 0) throw invalid('the note has no signature by a known key', 'ledger_unverified_note');
  return { text, verified, unverified };
}
