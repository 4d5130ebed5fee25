/**
 * CloudTrail's S3 object keys, reproduced under a local directory (`<directory>/<bucket>/<key>`):
 *   log     [prefix/]AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
 *             <account>_CloudTrail_<region>_<YYYYMMDDTHHmmZ>_<16 alnum>.json.gz
 *   digest  [prefix/]AWSLogs/<account>/CloudTrail-Digest/<region>/YYYY/MM/DD/
 *             <account>_CloudTrail-Digest_<region>_<trail>_<region>_<YYYYMMDDTHHmmssZ>.json.gz
 */
import { randomBase62 } from '../../lib/ids.js';

export interface TrailLocation {
  accountId: string;
  region: string;
  prefix: string;
}

const pad = (n: number) => String(n).padStart(2, '0');

function parts(ms: number) {
  const d = new Date(ms);
  return { y: String(d.getUTCFullYear()), mo: pad(d.getUTCMonth() + 1), d: pad(d.getUTCDate()), h: pad(d.getUTCHours()), mi: pad(d.getUTCMinutes()), s: pad(d.getUTCSeconds()) };
}

const withPrefix = (prefix: string, key: string) => (prefix === '' ? key : `${prefix.replace(/\/+$/, '')}/${key}`);

export function logFileKey(loc: TrailLocation, deliveredMs: number, random = randomBase62(16)): string {
  const p = parts(deliveredMs);
  const name = `${loc.accountId}_CloudTrail_${loc.region}_${p.y}${p.mo}${p.d}T${p.h}${p.mi}Z_${random}.json.gz`;
  return withPrefix(loc.prefix, `AWSLogs/${loc.accountId}/CloudTrail/${loc.region}/${p.y}/${p.mo}/${p.d}/${name}`);
}

export function digestFileKey(loc: TrailLocation, trailName: string, digestEndMs: number): string {
  const p = parts(digestEndMs);
  const name = `${loc.accountId}_CloudTrail-Digest_${loc.region}_${trailName}_${loc.region}_${p.y}${p.mo}${p.d}T${p.h}${p.mi}${p.s}Z.json.gz`;
  return withPrefix(loc.prefix, `AWSLogs/${loc.accountId}/CloudTrail-Digest/${loc.region}/${p.y}/${p.mo}/${p.d}/${name}`);
}

/** CloudTrail's suffix of a backfill digest's key (`..._<end>_backfill.json.gz`), which Sealtrail never writes. */
export const BACKFILL_SUFFIX = '_backfill.json.gz';
export const isBackfillDigestKey = (key: string): boolean => key.endsWith(BACKFILL_SUFFIX);

/** The 16-character `YYYYMMDDTHHmmssZ` end time near the end of a digest key (as aws-cli reads it). */
export const digestKeyTimestamp = (key: string): string => (isBackfillDigestKey(key) ? key.slice(-33, -17) : key.slice(-24, -8));

export const s3Uri = (bucket: string, key: string) => `s3://${bucket}/${key}`;
