/**
 * CloudTrail log files → `cloudtrail` records: each element of `Records`, its text the element's
 * own bytes in the file, timed by `eventTime`.
 */
import { isUtf8 } from 'node:buffer';
import { cloudTrailKeys } from '../extract/cloudtrail.js';
import { parseObject, Problem, timeOf, type Parsed } from './parsed.js';

export function parseCloudTrailRecord(bytes: Buffer): Parsed {
  if (!isUtf8(bytes)) return new Problem('not valid UTF-8');
  const text = bytes.toString('utf8');
  const record = parseObject(text);
  if (record instanceof Problem) return record;
  const timeNs = timeOf(record, 'eventTime');
  if (timeNs instanceof Problem) return timeNs;
  return { kind: 'cloudtrail', timeNs, text, keys: cloudTrailKeys(record) };
}

/** Digest files and their signature sidecars are the trail's integrity chain, not events. */
export function isCloudTrailLogFile(relativePath: string): boolean {
  const segments = relativePath.split(/[\\/]/);
  const name = segments[segments.length - 1];
  if (segments.some((s) => s === 'CloudTrail-Digest') || name.includes('_CloudTrail-Digest_')) return false;
  if (name.endsWith('.metadata.json')) return false;
  return name.endsWith('.json.gz') || name.endsWith('.json');
}
