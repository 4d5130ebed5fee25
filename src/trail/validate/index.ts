/**
 * validate-logs over a trail directory or an S3 bucket: find the digest chain (one trail, or the
 * one named), then walk and verify it. See validate-logs.ts for the walk and report.ts for the
 * output.
 */
import { stat } from 'node:fs/promises';
import { invalid } from '../../errors/index.js';
import type { S3Client } from '@aws-sdk/client-s3';
import { findDigestChains, localObjects, type DigestChainLocation, type ObjectReader } from './local-objects.js';
import { findS3DigestChains, s3Objects } from './s3-objects.js';
import type { PublicKeysByFingerprint } from './public-keys.js';
import type { ReportSink } from './report.js';
import { validateLogs, type ValidateLogsResult } from './validate-logs.js';

export { keysFromPemFiles, keysFromPublicKeyList, type PublicKeysByFingerprint } from './public-keys.js';
export { findDigestChains, localObjects, MAX_OBJECT_BYTES, type DigestChainLocation, type ObjectReader } from './local-objects.js';
export { validateLogs, type ValidateLogsOptions, type ValidateLogsResult } from './validate-logs.js';

interface ValidateCommonOptions extends ReportSink {
  trailName?: string;
  publicKeys: PublicKeysByFingerprint;
  startMs: number;
  endMs: number;
  verbose: boolean;
  /** The server's trails (DescribeTrails), when it was asked: they name the trail's real ARN. */
  knownTrails?: ReadonlyArray<{ name: string; arn: string }>;
  /** Checks the signature of a ledger checkpoint a digest names; the reason when it fails. */
  checkLedgerNote?: (signedNote: string) => string | undefined;
}

export interface ValidateDirectoryOptions extends ValidateCommonOptions {
  /** The trail's directory: it holds `<bucket>/<key>` objects. */
  dir: string;
}

export interface ValidateBucketOptions extends ValidateCommonOptions {
  client: S3Client;
  bucket: string;
  prefix: string;
  /** Lists only this account's digests (otherwise every key under the prefix's AWSLogs/). */
  accountId?: string;
}

/** Refuses a directory that does not exist or is a file: a mistyped --dir would otherwise read as a trail that delivered nothing. */
export async function assertTrailDirectory(dir: string): Promise<void> {
  const info = await stat(dir).catch(() => undefined);
  if (!info) throw invalid(`trail directory "${dir}" does not exist`, 'trail_dir_missing');
  if (!info.isDirectory()) throw invalid(`"${dir}" is not a directory (--dir takes the trail's directory, holding <bucket>/AWSLogs/...)`, 'trail_dir_missing');
}

export async function validateTrailDirectory(opts: ValidateDirectoryOptions): Promise<ValidateLogsResult> {
  if (opts.startMs > opts.endMs) throw invalidRange();
  await assertTrailDirectory(opts.dir);
  return validateFound(opts, await findDigestChains(opts.dir), localObjects(opts.dir), opts.dir);
}

/** The same validation over an S3 bucket (objects, signatures from object metadata, chain). */
export async function validateTrailBucket(opts: ValidateBucketOptions): Promise<ValidateLogsResult> {
  if (opts.startMs > opts.endMs) throw invalidRange();
  const found = await findS3DigestChains(opts.client, opts.bucket, opts.prefix, opts.accountId);
  return validateFound(opts, found, s3Objects(opts.client), `s3://${opts.bucket}/${opts.prefix}`);
}

const invalidRange = () => invalid('Invalid time range specified: start-time must occur before end-time', 'trail_invalid_time_range');

/** Whether a chain is the digests of a trail of the server: its name, and its ARN's region and account. */
function isServerTrail(c: DigestChainLocation, trail: { name: string; arn: string }): boolean {
  const [, , , region, account] = trail.arn.split(':');
  return trail.name === c.trailName && region === c.region && account === c.accountId;
}

/**
 * The chains to validate: those of the named trail (or of any); of them, when the server named
 * its trails, only its trails' — as aws-cli, given a trail's ARN, passes over the digests of
 * other trails, regions and accounts, so one planted under another name, or under the trail's
 * name elsewhere, does not stop the validation.
 */
function chainsToValidate(found: DigestChainLocation[], trailName: string | undefined, known: ReadonlyArray<{ name: string; arn: string }>): DigestChainLocation[] {
  const named = trailName === undefined ? found : found.filter((c) => c.trailName === trailName);
  const ofServer = named.filter((c) => known.some((t) => isServerTrail(c, t)));
  return ofServer.length > 0 ? ofServer : named;
}

function validateFound(opts: ValidateCommonOptions, found: DigestChainLocation[], objects: ObjectReader, where: string): Promise<ValidateLogsResult> {
  const known = opts.knownTrails ?? [];
  // A place with no digests yet belongs to the server's trail when it has just one.
  const trailName = opts.trailName ?? (found.length === 0 && known.length === 1 ? known[0].name : undefined);
  const chains = chainsToValidate(found, trailName, known);
  if (chains.length > 1) {
    throw invalid(`digest files of several trails found in ${where} (${chains.map((c) => c.trailName).join(', ')}): choose one with --trail-name`, 'trail_ambiguous');
  }
  const chain = chains[0] ?? { bucket: '', prefix: '', accountId: '', region: '', trailName: trailName ?? '', keys: [], backfillKeys: [] };
  const trailArn = known.find((t) => t.name === chain.trailName)?.arn;
  return validateLogs({ ...opts, objects, chain, ...(trailArn ? { trailArn } : {}) });
}
