/**
 * `sealtrail trail validate-logs`: verifies delivered trail files against their signed digest
 * chain and prints what `aws cloudtrail validate-logs` prints; exit 1 when any file is INVALID.
 * Where the files are:
 *   --dir <dir>                                 a directory trail's directory
 *   --s3-bucket <b> [--s3-prefix <p>] [--s3-endpoint <url>] [--s3-region <r>] [--s3-force-path-style]
 *                                               an S3 bucket (credentials: the AWS SDK's default
 *                                               chain, e.g. AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY)
 *   neither                                     the server's configured destination of the trail
 *                                               (sys/trails; --trail-name when it has several)
 * Public keys come from --public-key (a PEM file or a directory of them) or the server's
 * ListPublicKeys; the trail ARN printed is the server's (DescribeTrails) unless --public-key
 * works offline. A digest names the journal ledger's checkpoint of its time; --ledger-key checks
 * that checkpoint's signature too.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { systemClock } from '../../lib/clock.js';
import { openCheckpoint, type NoteVerifier } from '../../ledger/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_REMOTE, onFile, remote, usageError } from '../failure.js';
import { MAX_PUBLIC_KEY_FILE_BYTES, readFileText, regularFileBytesUpTo } from '../input-limits.js';
import { loadVerifierKey } from '../ledger-input.js';
import { printableText } from '../printable.js';

interface ValidateFlags {
  dir?: string; s3Bucket?: string; s3Prefix?: string; s3Endpoint?: string; s3Region?: string; s3ForcePathStyle?: boolean;
  startTime: string; endTime?: string; verbose?: boolean; publicKey?: string; trailName?: string; accountId?: string; ledgerKey?: string;
}

interface S3Place { bucket: string; prefix: string; endpoint?: string; region: string; forcePathStyle: boolean }
type Place = { dir: string } | { s3: S3Place };

/**
 * The PEM files --public-key names: the file itself, read as any input file, or every *.pem of
 * the directory in name order, each a regular file (a FIFO there is refused, not waited on).
 */
async function publicKeyFiles(path: string): Promise<Array<{ path: string; text: string }>> {
  const info = await onFile(path, () => stat(path));
  if (!info.isDirectory()) return [{ path, text: await readFileText(path, MAX_PUBLIC_KEY_FILE_BYTES) }];
  const names = (await onFile(path, () => readdir(path))).filter((n) => n.endsWith('.pem')).sort();
  const files: Array<{ path: string; text: string }> = [];
  for (const name of names) {
    const file = join(path, name);
    files.push({ path: file, text: (await onFile(file, () => regularFileBytesUpTo(file, MAX_PUBLIC_KEY_FILE_BYTES))).toString('utf8') });
  }
  return files;
}

/** ISO-8601 or epoch seconds → ms. */
export function parseTimeFlag(value: string, flag: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw usageError(`${flag}: not a timestamp: ${value}`);
  return ms;
}

function endpointFlag(value: string): string {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch { /* refused below */ }
  if (!url || !['http:', 'https:'].includes(url.protocol) || url.username !== '' || url.password !== '') {
    throw usageError('--s3-endpoint must be an http:// or https:// URL without a user name or password');
  }
  return `${url.protocol}//${url.host}`;
}

/** The trail's destination as the server has it configured (sys/trails), and the trail's name. */
async function configuredPlace(ctx: CliContext, trailName: string | undefined, defaultRegion: string): Promise<{ place: Place; trailName: string }> {
  const client = await ctx.client();
  const answer = await remote('reading the server\'s trails (or give --dir or --s3-bucket)', () => client.read('sys/trails'));
  const info = (answer?.data?.key_info ?? {}) as Record<string, Record<string, unknown>>;
  const names = Object.keys(info);
  const name = trailName ?? (names.length === 1 ? names[0] : undefined);
  if (names.length === 0) throw usageError('the server has no trails: give --dir or --s3-bucket');
  if (name === undefined) throw usageError(`choose a trail with --trail-name (the server has: ${names.join(', ')})`);
  if (!Object.hasOwn(info, name)) throw usageError(`no trail named ${JSON.stringify(name)} (the server has: ${names.join(', ')})`);
  const t = info[name];
  if (t.destination === 's3') {
    return { trailName: name, place: { s3: {
      bucket: String(t.bucket), prefix: typeof t.prefix === 'string' ? t.prefix : '',
      ...(typeof t.endpoint === 'string' ? { endpoint: t.endpoint } : {}),
      region: typeof t.region === 'string' ? t.region : defaultRegion, forcePathStyle: t.force_path_style === true,
    } } };
  }
  if (typeof t.directory !== 'string') throw usageError(`trail "${name}" has no destination this command can read`);
  return { trailName: name, place: { dir: t.directory } };
}

/** The account of the server's trails (arn:aws:cloudtrail:<region>:<account>:trail/<name>). */
function accountOf(trails: ReadonlyArray<{ arn: string }> | undefined): string | undefined {
  const accounts = new Set((trails ?? []).map((t) => t.arn.split(':')[4]).filter((a) => /^\d{12}$/.test(a ?? '')));
  return accounts.size === 1 ? [...accounts][0] : undefined;
}

/** A digest's ledger checkpoint must open with the ledger's key. */
function ledgerNoteCheck(key: NoteVerifier): (note: string) => string | undefined {
  return (note) => {
    try {
      openCheckpoint(note, key);
      return undefined;
    } catch {
      return `its ledger checkpoint does not verify with the key of ${key.name}`;
    }
  };
}

/** An S3 failure in one line: the store's error code or the network's, never its message. */
function s3Failure(err: unknown, bucket: string): CliExit | undefined {
  const e = err as { name?: unknown; code?: unknown; $metadata?: unknown } | null;
  if (typeof e?.code === 'string' && /^E[A-Z]+$/.test(e.code)) return new CliExit(EXIT_REMOTE, `Error reading s3://${bucket}: ${e.code}`);
  if (e?.$metadata !== undefined && typeof e.name === 'string') return new CliExit(EXIT_REMOTE, `Error reading s3://${bucket}: ${e.name}`);
  return undefined;
}

export function registerValidateLogs(trail: Command, ctx: CliContext): void {
  trail
    .command('validate-logs')
    .description('Validate delivered trail log files against their signed digest chain')
    .option('--dir <dir>', "a directory trail's directory (holding <bucket>/AWSLogs/...)")
    .option('--s3-bucket <bucket>', 'an S3 trail\'s bucket')
    .option('--s3-prefix <prefix>', 'the trail\'s key prefix in the bucket')
    .option('--s3-endpoint <url>', 'an S3-compatible endpoint (default: AWS\'s, or AWS_ENDPOINT_URL_S3)')
    .option('--s3-region <region>', 'the bucket\'s region (default: AWS_REGION, else us-east-1)')
    .option('--s3-force-path-style', 'address the bucket in the path (most S3-compatible stores need it)')
    .requiredOption('--start-time <time>', 'validate digests delivered on or after this time')
    .option('--end-time <time>', 'and on or before this time (default: now)')
    .option('--verbose', 'also list valid files')
    .option('--public-key <path>', 'PEM public key file or directory (default: the server\'s ListPublicKeys)')
    .option('--trail-name <name>', 'which trail, when the place holds several')
    .option('--account-id <id>', 'in a bucket, list only this account\'s digests (default: the server\'s account)')
    .option('--ledger-key <vkey>', "the journal ledger's verifier key (or a file holding it): check the checkpoint each digest names")
    .action(async (flags: ValidateFlags) => {
      // Loaded on demand: the trail module is server code, which other commands should not load.
      const { assertTrailDirectory, createS3Client, keysFromPemFiles, keysFromPublicKeyList, MAX_OBJECT_BYTES, validateTrailBucket, validateTrailDirectory } = await import('../../trail/index.js');
      if (flags.accountId !== undefined && !/^\d{12}$/.test(flags.accountId)) throw usageError('--account-id must be a 12-digit AWS account id');
      const startMs = parseTimeFlag(flags.startTime, '--start-time');
      const endMs = flags.endTime ? parseTimeFlag(flags.endTime, '--end-time') : systemClock.now();
      if (flags.dir !== undefined && flags.s3Bucket !== undefined) throw usageError('give --dir or --s3-bucket, not both');
      const s3Only = [flags.s3Prefix, flags.s3Endpoint, flags.s3Region, flags.s3ForcePathStyle].some((f) => f !== undefined);
      if (s3Only && flags.s3Bucket === undefined) throw usageError('--s3-prefix, --s3-endpoint, --s3-region and --s3-force-path-style go with --s3-bucket');
      const region = flags.s3Region ?? ctx.io.env.AWS_REGION ?? ctx.io.env.AWS_DEFAULT_REGION ?? 'us-east-1';
      let place: Place | undefined;
      if (flags.dir !== undefined) place = { dir: flags.dir };
      else if (flags.s3Bucket !== undefined) {
        place = { s3: {
          bucket: flags.s3Bucket, prefix: flags.s3Prefix ?? '', region, forcePathStyle: flags.s3ForcePathStyle === true,
          ...(flags.s3Endpoint !== undefined ? { endpoint: endpointFlag(flags.s3Endpoint) } : {}),
        } };
      }
      if (place && 'dir' in place) await assertTrailDirectory(place.dir);
      let publicKeys;
      let knownTrails: Array<{ name: string; arn: string }> | undefined;
      if (flags.publicKey) publicKeys = keysFromPemFiles(await publicKeyFiles(flags.publicKey), flags.publicKey);
      else {
        const client = await ctx.client();
        const answer = await remote('listing public keys', () => client.write('trail/aws/ListPublicKeys', { StartTime: startMs / 1000, EndTime: endMs / 1000 }));
        const list = (answer?.data?.PublicKeyList ?? []) as Array<{ Value: string; Fingerprint?: string }>;
        publicKeys = keysFromPublicKeyList(list);
        // Only for the ARN printed: a token allowed ListPublicKeys alone still validates.
        const described = await client.write('trail/aws/DescribeTrails', {}).catch(() => undefined);
        const trails = (described?.data?.trailList ?? []) as Array<{ Name?: unknown; TrailARN?: unknown }>;
        knownTrails = trails.flatMap((t) => (typeof t.Name === 'string' && typeof t.TrailARN === 'string' ? [{ name: t.Name, arn: t.TrailARN }] : []));
      }
      let trailName = flags.trailName;
      if (!place) ({ place, trailName } = await configuredPlace(ctx, flags.trailName, region));
      const checkLedgerNote = flags.ledgerKey === undefined ? undefined : ledgerNoteCheck(await loadVerifierKey(flags.ledgerKey));
      const common = {
        trailName, publicKeys, startMs, endMs, verbose: flags.verbose === true, knownTrails, checkLedgerNote,
        // The report names keys, trail names and fingerprints from the files: shown terminal-safe,
        // its own line breaks and tabs kept.
        out: (t: string) => ctx.io.stdout(printableText(t)), err: (t: string) => ctx.io.stderr(printableText(t)),
      };
      let result;
      if ('dir' in place) {
        if (flags.dir === undefined) await assertTrailDirectory(place.dir);
        result = await validateTrailDirectory({ ...common, dir: place.dir });
      } else {
        const s3 = place.s3;
        const env = ctx.io.env;
        const endpoint = s3.endpoint ?? (env.AWS_ENDPOINT_URL_S3 ? endpointFlag(env.AWS_ENDPOINT_URL_S3) : undefined);
        // Keys in the environment given to the command, else the SDK's own chain (files, roles).
        const credentials = env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY
          ? { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY, ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}) }
          : undefined;
        // Log files are read to MAX_OBJECT_BYTES (s3-objects.ts names a larger one); a listing, an
        // error or anything else the endpoint answers is bounded by the same figure.
        const client = createS3Client({
          region: s3.region, forcePathStyle: s3.forcePathStyle, maxResponseBytes: MAX_OBJECT_BYTES + 1024 * 1024,
          ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}),
        });
        try {
          const accountId = flags.accountId ?? accountOf(knownTrails);
          result = await validateTrailBucket({ ...common, client, bucket: s3.bucket, prefix: s3.prefix, ...(accountId ? { accountId } : {}) });
        } catch (err) {
          throw s3Failure(err, s3.bucket) ?? err;
        } finally {
          client.destroy();
        }
      }
      if (result.exitCode !== 0) throw new CliExit(result.exitCode);
    });
}
