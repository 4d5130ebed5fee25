/**
 * SigV4 signing keys: HMAC chain secret → date → region → service → "aws4_request". A key is valid
 * for one day of one scope, so it is cached per (access key, date, region, service): steady
 * traffic costs one HMAC per request instead of five. Entries remember the secret they were
 * derived from, so a rotated secret never reuses a stale key.
 */
import { createHmac } from 'node:crypto';
import { KeyedHmac } from '../../../lib/keyed-hmac.js';
import { LruMap } from '../../../lib/lru.js';

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** A derived signing key, ready to sign many strings. */
export type SigningKey = KeyedHmac;

export interface SigningKeyCache {
  get(accessKeyId: string, secret: string, date: string, region: string, service: string): SigningKey;
}

export function createSigningKeyCache(maxEntries = 4096): SigningKeyCache {
  const entries = new LruMap<string, { secret: string; key: SigningKey }>(maxEntries);
  return {
    get(accessKeyId, secret, date, region, service) {
      const id = `${accessKeyId}/${date}/${region}/${service}`;
      const hit = entries.get(id);
      if (hit && hit.secret === secret) return hit.key;
      const key = new KeyedHmac(deriveSigningKey(secret, date, region, service));
      entries.set(id, { secret, key });
      return key;
    },
  };
}

/** The signature: hex HMAC-SHA256 of the string to sign under the signing key. */
export function signString(signingKey: SigningKey, toSign: string): string {
  return signingKey.hex(toSign);
}
