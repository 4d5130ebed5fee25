/**
 * The validator's view of a trail directory (`<dir>/<bucket>/<key>`, what a trail writes in place
 * of S3): read an object, read a digest's metadata (`<key>.metadata.json`), and find the digest
 * chains present — one per (bucket, prefix, account, region, trail name). s3-objects.ts is the
 * same view of an S3 bucket.
 */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { DigestMetadata } from '../delivery/digest-file.js';
import { METADATA_SUFFIX } from '../delivery/digest-file.js';
import { objectPath } from '../delivery/files.js';
import { isBackfillDigestKey } from '../delivery/object-keys.js';
import { nestsDeeper } from '../../lib/json-depth.js';
import { openRegularFile, readOpenFile } from '../../lib/regular-file.js';

export interface DigestChainLocation {
  bucket: string;
  prefix: string;
  accountId: string;
  region: string;
  trailName: string;
  /** Digest keys, in key order (oldest first, for the keys a trail writes). */
  keys: string[];
  /** Backfill digest keys (CloudTrail's `..._backfill.json.gz`), in key order. */
  backfillKeys: string[];
}

export interface ObjectReader {
  get(bucket: string, key: string): Promise<Buffer | undefined>;
  metadata(bucket: string, key: string): Promise<DigestMetadata | undefined>;
}

const DIGEST_KEY = /^(?:(?<prefix>.+)\/)?AWSLogs\/(?<account>\d+)\/CloudTrail-Digest\/(?<region>[^/]+)\/\d+\/\d+\/\d+\/\k<account>_CloudTrail-Digest_\k<region>_(?<trail>.+)_\k<region>_(?<ts>\d{8}T\d{6}Z)(?<backfill>_backfill)?\.json\.gz$/;

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p)));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** An object that exists and cannot be read as one (not a regular file, too large): INVALID, with why. */
export class UnreadableObject extends Error {}

/** The largest log or digest object read, from a directory or a bucket. */
export const MAX_OBJECT_BYTES = 256 * 1024 * 1024;
/**
 * The largest digest metadata file read (`<key>.metadata.json`): it holds a signature (1,024 hex
 * characters for a 4096-bit key) and the algorithm's name.
 */
export const MAX_METADATA_BYTES = 64 * 1024;
/**
 * How deep a digest or its metadata may nest: a digest is three levels (the file, `logFiles`, one
 * log file's entry), its metadata one. Both are parsed before the signature is checked, and
 * JSON.parse holds memory for every level open: 200 MiB of `[` took 11 GB.
 */
export const MAX_DIGEST_DEPTH = 64;

/**
 * A file's bytes, or undefined when there is none. Only a regular file of at most `limit` bytes
 * (MAX_OBJECT_BYTES, the S3 view's bound) is read: a directory, a FIFO (opened without blocking)
 * or a device such as /dev/zero put in a log file's place is refused, naming the file.
 */
async function readObjectFile(path: string, limit = MAX_OBJECT_BYTES): Promise<Buffer | undefined> {
  let opened;
  try {
    opened = await openRegularFile(path, { followLinks: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new UnreadableObject(`cannot be read (${code ?? 'error'})`);
  }
  if ('refused' in opened) throw new UnreadableObject(opened.refused);
  const { file, info } = opened;
  try {
    if (info.size > limit) throw new UnreadableObject(`larger than ${limit} bytes`);
    return await readOpenFile(file, info.size);
  } finally {
    await file.close();
  }
}

export function localObjects(dir: string): ObjectReader {
  const read = readObjectFile;
  return {
    get: (bucket, key) => read(objectPath(dir, bucket, key)),
    async metadata(bucket, key) {
      const raw = await read(objectPath(dir, bucket, key) + METADATA_SUFFIX, MAX_METADATA_BYTES);
      if (!raw) return undefined;
      const text = raw.toString('utf8');
      if (nestsDeeper(text, MAX_DIGEST_DEPTH)) return undefined;
      try {
        return digestMetadata(JSON.parse(text) as Record<string, unknown> | null);
      } catch {
        return undefined;
      }
    },
  };
}

export async function findDigestChains(dir: string): Promise<DigestChainLocation[]> {
  const byBucket = new Map<string, string[]>();
  for (const file of await walk(dir)) {
    const [bucket, ...rest] = relative(dir, file).split(sep);
    if (!bucket) continue;
    const keys = byBucket.get(bucket) ?? [];
    keys.push(rest.join('/'));
    byBucket.set(bucket, keys);
  }
  return [...byBucket].flatMap(([bucket, keys]) => chainsFromKeys(bucket, keys));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');

/**
 * aws-cli's pattern of one trail's digest keys: anything between the trail's name and `.json.gz`,
 * whose last 16 characters it reads as the end time. A key there that Sealtrail would not write
 * (`..._x20261207T233003Z.json.gz`) is still one of the trail's digests, and is validated.
 */
function trailDigestKey(c: Omit<DigestChainLocation, 'keys' | 'backfillKeys'>): RegExp {
  const prefix = c.prefix === '' ? '' : `${escapeRegExp(c.prefix)}/`;
  const [account, region, name] = [c.accountId, c.region, c.trailName].map(escapeRegExp);
  return new RegExp(`^${prefix}AWSLogs/${account}/CloudTrail-Digest/${region}/\\d+/\\d+/\\d+/${account}_CloudTrail-Digest_${region}_${name}_${region}_.+\\.json\\.gz$`);
}

/**
 * The digest chains among a bucket's keys: the trails named by keys as Sealtrail and CloudTrail
 * write them, each with every key of its pattern (trailDigestKey), in key order — the order S3
 * lists them in and aws-cli walks them, which for well-formed keys is their time order.
 */
export function chainsFromKeys(bucket: string, keys: readonly string[]): DigestChainLocation[] {
  const chains = new Map<string, DigestChainLocation>();
  for (const key of keys) {
    const g = DIGEST_KEY.exec(key)?.groups;
    if (!g) continue;
    const id = JSON.stringify([bucket, g.prefix ?? '', g.account, g.region, g.trail]);
    if (!chains.has(id)) chains.set(id, { bucket, prefix: g.prefix ?? '', accountId: g.account, region: g.region, trailName: g.trail, keys: [], backfillKeys: [] });
  }
  for (const chain of chains.values()) {
    const pattern = trailDigestKey(chain);
    const ofTrail = keys.filter((k) => pattern.test(k)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    chain.keys = ofTrail.filter((k) => !isBackfillDigestKey(k));
    chain.backfillKeys = ofTrail.filter(isBackfillDigestKey);
  }
  return [...chains.values()];
}

/** A digest's metadata as read from S3 or a `.metadata.json`: undefined without a signature and its algorithm. */
export function digestMetadata(m: Record<string, unknown> | null): DigestMetadata | undefined {
  if (m === null || typeof m !== 'object' || typeof m.signature !== 'string' || typeof m['signature-algorithm'] !== 'string') return undefined;
  const generated = m['backfill-generation-timestamp'];
  return { signature: m.signature, 'signature-algorithm': m['signature-algorithm'], ...(typeof generated === 'string' ? { 'backfill-generation-timestamp': generated } : {}) };
}
