/**
 * The domain's log key: a random 32-byte key kept in the domain's (encrypted) storage, from which
 * the logs derive what they show or index instead of the values themselves.
 *
 *   session id   `sn-` + 22 base62 characters of HMAC(key, "session", accessor): the same token
 *                always has the same session id in a domain, and a log reader cannot turn it back
 *                into the accessor (which would let them look the token up or revoke it).
 *   index key    HMAC(key, "index", field, value) in hex: the index keeps no value in its key paths.
 */
import type { Storage } from '../../../storage/index.js';
import { hmacSha256, randomKey } from '../crypto.js';

export const LOG_KEY = 'log-key';
export const SESSION_ID_RE = /^sn-[0-9A-Za-z]{22}$/;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export interface LogKey {
  sessionId(accessor: string): string;
  indexKey(field: string, value: string): string;
}

/** 16 bytes as exactly 22 base62 digits (62^22 > 2^128). */
function base62(bytes: Uint8Array): string {
  let n = BigInt('0x' + Buffer.from(bytes).toString('hex'));
  let out = '';
  for (let i = 0; i < 22; i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}

export function logKey(key: Uint8Array): LogKey {
  return {
    sessionId: (accessor) => 'sn-' + base62(hmacSha256(key, `session\0${accessor}`).subarray(0, 16)),
    indexKey: (field, value) => hmacSha256(key, `index\0${field}\0${value}`).subarray(0, 16).toString('hex'),
  };
}

/** The domain's log key, created on first use. */
export async function loadLogKey(storage: Storage): Promise<LogKey> {
  let key = await storage.get(LOG_KEY);
  if (!key) {
    key = randomKey();
    await storage.put(LOG_KEY, key);
  }
  return logKey(key);
}
