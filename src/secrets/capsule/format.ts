/**
 * The capsule's binary format. A capsule is opaque, self-describing and can be stored anywhere:
 *
 *   magic "STCAP" | format version (u8) | domain length (u8) | domain | capsule id length (u8) |
 *   capsule id | key version (u32 BE) | wrapped data key length (u16 BE) | wrapped data key |
 *   body IV (12) | sealed body (AES-256-GCM ciphertext || tag)
 *
 * The wrapped data key is AES-256-GCM (IV || ciphertext || tag) under the domain key version,
 * with the capsule's identity as AAD. The whole header (everything before the sealed body) is the
 * body's AAD, so flipping any byte — header or body — makes opening fail.
 */
import { SealtrailError } from '../../errors/index.js';
import { gcmOpen, gcmSeal, gcmSealParts, IV_BYTES, randomIv, randomKey } from './crypto.js';

const MAGIC = Buffer.from('STCAP', 'ascii');
export const FORMAT_VERSION = 1;

export interface CapsuleHeader {
  formatVersion: number;
  domain: string;
  capsuleId: string;
  keyVersion: number;
}

export const integrityFailure = (detail?: string) =>
  new SealtrailError('invalid', 'capsule_integrity', detail ? `capsule integrity check failed: ${detail}` : 'capsule integrity check failed');

function headerBytes(h: CapsuleHeader, wrappedKey: Uint8Array, bodyIv: Uint8Array): Buffer {
  const domain = Buffer.from(h.domain, 'utf8');
  const id = Buffer.from(h.capsuleId, 'utf8');
  const fixed = Buffer.alloc(4 + 2);
  fixed.writeUInt32BE(h.keyVersion, 0);
  fixed.writeUInt16BE(wrappedKey.length, 4);
  return Buffer.concat([
    MAGIC, Buffer.from([h.formatVersion, domain.length]), domain, Buffer.from([id.length]), id,
    fixed.subarray(0, 4), fixed.subarray(4), wrappedKey, bodyIv,
  ]);
}

/** AAD that binds a wrapped data key to one capsule of one domain under one key version. */
const keyAad = (h: CapsuleHeader) => Buffer.from(`${h.domain}\0${h.capsuleId}\0${h.keyVersion}`, 'utf8');

/** Seals `body` under a fresh data key wrapped by `domainKey`. */
export function sealCapsule(h: Omit<CapsuleHeader, 'formatVersion'>, domainKey: Uint8Array, body: Uint8Array): Buffer {
  const header: CapsuleHeader = { formatVersion: FORMAT_VERSION, ...h };
  const dataKey = randomKey();
  const keyIv = randomIv();
  const wrappedKey = Buffer.concat([keyIv, gcmSeal(domainKey, keyIv, dataKey, keyAad(header))]);
  const bodyIv = randomIv();
  const head = headerBytes(header, wrappedKey, bodyIv);
  const { ciphertext, tag } = gcmSealParts(dataKey, bodyIv, body, head);
  return Buffer.concat([head, ciphertext, tag]);
}

export interface ParsedCapsule {
  header: CapsuleHeader;
  wrappedKey: Buffer;
  bodyIv: Buffer;
  /** The header bytes (the body's AAD). */
  aad: Buffer;
  sealedBody: Buffer;
}

/** Reads the header. Structural damage is an integrity failure; nothing is decrypted yet. */
export function parseCapsule(bytes: Buffer): ParsedCapsule {
  let at = 0;
  const take = (n: number) => {
    if (at + n > bytes.length) throw integrityFailure('truncated capsule');
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  if (!take(MAGIC.length).equals(MAGIC)) throw integrityFailure('not a capsule');
  const formatVersion = take(1)[0];
  if (formatVersion !== FORMAT_VERSION) throw integrityFailure(`unsupported capsule format version ${formatVersion}`);
  const domain = take(take(1)[0]).toString('utf8');
  const capsuleId = take(take(1)[0]).toString('utf8');
  if (!/^dm-[A-Za-z0-9]+$/.test(domain) || !/^ca-[A-Za-z0-9]+$/.test(capsuleId)) throw integrityFailure('malformed header');
  const keyVersion = take(4).readUInt32BE(0);
  const wrappedKey = take(take(2).readUInt16BE(0));
  const bodyIv = take(IV_BYTES);
  const aad = bytes.subarray(0, at);
  return { header: { formatVersion, domain, capsuleId, keyVersion }, wrappedKey, bodyIv, aad, sealedBody: bytes.subarray(at) };
}

/**
 * Unwraps the data key. Its AAD is the header's domain, capsule id and key version, so a key that
 * unwraps proves that identity was sealed with the domain key: until then the header's id is only
 * a claim, which anyone can write into a header. A failure is an integrity failure.
 */
export function unwrapDataKey(parsed: ParsedCapsule, domainKey: Uint8Array): Buffer {
  const { wrappedKey } = parsed;
  const dataKey = gcmOpen(domainKey, wrappedKey.subarray(0, IV_BYTES), wrappedKey.subarray(IV_BYTES), keyAad(parsed.header));
  if (!dataKey) throw integrityFailure();
  return dataKey;
}

/** Opens the body under its unwrapped data key (the whole header is its AAD); a failure is an integrity failure. */
export function openBody(parsed: ParsedCapsule, dataKey: Uint8Array): Buffer {
  const body = gcmOpen(dataKey, parsed.bodyIv, parsed.sealedBody, parsed.aad);
  if (!body) throw integrityFailure();
  return body;
}

/** Unwraps the data key and opens the body; any authentication failure is an integrity failure. */
export function openCapsule(parsed: ParsedCapsule, domainKey: Uint8Array): Buffer {
  return openBody(parsed, unwrapDataKey(parsed, domainKey));
}
