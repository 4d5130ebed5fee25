/**
 * SigV4 signing keys: HMAC chain secret → date → region → service → "aws4_request". A key is valid
 * for one day of one scope, so it is cached per (access key, date, region, service): steady
 * traffic costs one HMAC per request instead of five. Entries remember the secret they were
 * derived from, so a rotated secret never reuses a stale key.
 */
import { createHmac } from 'node:crypto';
import { LruMap } from '../../../lib/lru.js';

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

export function deriveSigningKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

export interface SigningKeyCache {
  get(accessKeyId: string, secret: string, date: string, region: string, service: string): Buffer;
}

export function createSigningKeyCache(maxEntries = 4096): SigningKeyCache {
  const entries = new LruMap<string, { secret: string; key: Buffer }>(maxEntries);
  return {
    get(accessKeyId, secret, date, region, service) {
      const id = `${accessKeyId}/${date}/${region}/${service}`;
      const hit = entries.get(id);
      if (hit && hit.secret === secret) return hit.key;
      const key = deriveSigningKey(secret, date, region, service);
      entries.set(id, { secret, key });
      return key;
    },
  };
}

export function signString(signingKey: Buffer, toSign: string): string {
  return createHmac('sha256', signingKey).update(toSign).digest('hex');
}
