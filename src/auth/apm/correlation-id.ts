/**
 * Self-authenticating correlation ids: `init` keeps nothing, so no number of calls can use up a
 * table of outstanding challenges. The id carries its own expiry and a MAC under a key only this
 * mount holds, and the challenge is derived from the id, so `auth` can check both from the id alone.
 *
 * The id is a UUID (version 8, RFC 9562's layout for custom content), as APM clients expect. Its
 * 122 free bits hold:
 *   expiry  40 bits  milliseconds since the epoch modulo 2^40 (read back as the value nearest
 *                    to now: unambiguous for expiries within ~6 days, and a challenge lives 1h at most)
 *   random  32 bits  so ids issued in the same millisecond differ
 *   tag     50 bits  HMAC-SHA256(key, platform, expiry, random), truncated
 * challenge = HMAC-SHA256(key, platform, id): 32 bytes that cannot be predicted without the key.
 * A forged id gains nothing: its challenge is still unknown to the forger.
 */
import { createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';

const EXPIRY_BITS = 40n;
const RANDOM_BITS = 32n;
const TAG_BITS = 50n;
const EXPIRY_MOD = 1n << EXPIRY_BITS;
const UUID_RE = /^([0-9a-f]{8})-([0-9a-f]{4})-8([0-9a-f]{3})-([89ab][0-9a-f]{3})-([0-9a-f]{12})$/;

export interface DecodedCorrelationId {
  expiresAt: number;
}

function tagOf(key: KeyObject, platform: string, expiry40: bigint, random: bigint): bigint {
  const mac = createHmac('sha256', key).update(`apm-correlation-v1\0${platform}\0${expiry40}\0${random}`).digest();
  return BigInt('0x' + mac.subarray(0, 7).toString('hex')) >> (56n - TAG_BITS);
}

/** Packs 122 bits around the version nibble and the variant bits. */
function toUuid(bits: bigint): string {
  const hex = (v: bigint, digits: number) => v.toString(16).padStart(digits, '0');
  const top48 = bits >> 74n;
  const mid12 = (bits >> 62n) & 0xfffn;
  const low62 = bits & ((1n << 62n) - 1n);
  const low64 = (2n << 62n) | low62; // variant 10
  const h = hex(top48, 12) + '8' + hex(mid12, 3) + hex(low64, 16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function fromUuid(id: string): bigint | undefined {
  const m = UUID_RE.exec(id);
  if (!m) return undefined;
  const top48 = BigInt('0x' + m[1] + m[2]);
  const mid12 = BigInt('0x' + m[3]);
  const low62 = BigInt('0x' + m[4] + m[5]) & ((1n << 62n) - 1n);
  return (top48 << 74n) | (mid12 << 62n) | low62;
}

export function issueCorrelationId(key: KeyObject, platform: string, expiresAt: number): string {
  const expiry40 = BigInt(expiresAt) % EXPIRY_MOD;
  const random = BigInt('0x' + randomBytes(4).toString('hex'));
  const tag = tagOf(key, platform, expiry40, random);
  return toUuid((expiry40 << (RANDOM_BITS + TAG_BITS)) | (random << TAG_BITS) | tag);
}

/** The id's expiry if this key issued it for this platform; undefined for anything else. */
export function verifyCorrelationId(key: KeyObject, platform: string, id: string, now: number): DecodedCorrelationId | undefined {
  const bits = typeof id === 'string' ? fromUuid(id.toLowerCase()) : undefined;
  if (bits === undefined) return undefined;
  const expiry40 = bits >> (RANDOM_BITS + TAG_BITS);
  const random = (bits >> TAG_BITS) & ((1n << RANDOM_BITS) - 1n);
  const tag = bits & ((1n << TAG_BITS) - 1n);
  const expected = tagOf(key, platform, expiry40, random);
  const a = Buffer.from(tag.toString(16).padStart(13, '0'));
  const b = Buffer.from(expected.toString(16).padStart(13, '0'));
  if (!timingSafeEqual(a, b)) return undefined;
  // The expiry nearest to now that has these low 40 bits.
  const nowBig = BigInt(now);
  let delta = (expiry40 - (nowBig % EXPIRY_MOD) + EXPIRY_MOD) % EXPIRY_MOD;
  if (delta >= EXPIRY_MOD / 2n) delta -= EXPIRY_MOD;
  return { expiresAt: Number(nowBig + delta) };
}

export function challengeFor(key: KeyObject, platform: string, id: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(`apm-challenge-v1\0${platform}\0${id.toLowerCase()}`).digest());
}
