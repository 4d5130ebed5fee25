/**
 * `sealtrail trail lookup | validate-logs`:
 *   sealtrail trail lookup --lookup-attributes AttributeKey=EventName,AttributeValue=Decrypt --max-results 10
 *     → LookupEvents on the server (POST /v1/trail/aws/LookupEvents); prints the AWS response JSON
 *   sealtrail trail validate-logs --dir /var/lib/sealtrail/trail --start-time 2024-11-14T00:00:00Z --verbose
 *     → verifies the digest chain and log files on disk, printing what `aws cloudtrail
 *       validate-logs` prints; exit 1 when any file is INVALID. Public keys come from
 *       --public-key (a PEM file or a directory of them) or the server's ListPublicKeys; the
 *       trail ARN printed is the server's (DescribeTrails) unless --public-key works offline.
 */
import type { Command } from 'commander';
import { systemClock } from '../../lib/clock.js';
import type { CliContext } from '../context.js';
import { CliExit, remote, usageError } from '../failure.js';

/** ISO-8601 or epoch seconds → ms. */
export function parseTimeFlag(value: string, flag: string): number {
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  if (!Number.isFinite(ms)) throw usageError(`${flag}: not a timestamp: ${value}`);
  return ms;
}

/** The AWS CLI shorthand `AttributeKey=EventName,AttributeValue=Decrypt`. */
export function parseLookupAttribute(value: string): { AttributeKey: string; AttributeValue: string } {
  const m = /^AttributeKey=([^,]+),AttributeValue=(.*)$/.exec(value.trim());
  if (!m) throw usageError('--lookup-attributes must look like AttributeKey=EventName,AttributeValue=Decrypt');
  return { AttributeKey: m[1], AttributeValue: m[2] };
}

interface LookupFlags { lookupAttributes?: string; startTime?: string; endTime?: string; maxResults?: string; nextToken?: string }
interface ValidateFlags { dir: string; startTime: string; endTime?: string; verbose?: boolean; publicKey?: string; trailName?: string }

export function registerTrail(program: Command, ctx: CliContext): void {
  const trail = program.command('trail').description('CloudTrail event history and trail file validation');

  trail
    .command('lookup')
    .description('Look up recorded events (LookupEvents), newest first')
    .option('--lookup-attributes <spec>', 'AttributeKey=<key>,AttributeValue=<value>')
    .option('--start-time <time>', 'ISO-8601 or epoch seconds')
    .option('--end-time <time>', 'ISO-8601 or epoch seconds')
    .option('--max-results <n>', '1 to 50')
    .option('--next-token <token>', 'continue a previous lookup')
    .action(async (flags: LookupFlags) => {
      const body: Record<string, unknown> = {};
      if (flags.lookupAttributes) body.LookupAttributes = [parseLookupAttribute(flags.lookupAttributes)];
      if (flags.startTime) body.StartTime = parseTimeFlag(flags.startTime, '--start-time') / 1000;
      if (flags.endTime) body.EndTime = parseTimeFlag(flags.endTime, '--end-time') / 1000;
      if (flags.maxResults) {
        const n = Number(flags.maxResults);
        if (!Number.isInteger(n)) throw usageError('--max-results must be an integer');
        body.MaxResults = n;
      }
      if (flags.nextToken) body.NextToken = flags.nextToken;
      const client = await ctx.client();
      const answer = await remote('looking up events', () => client.write('trail/aws/LookupEvents', body));
      ctx.output().json(answer?.data ?? { Events: [] });
    });

  trail
    .command('validate-logs')
    .description('Validate delivered trail log files against their signed digest chain')
    .requiredOption('--dir <dir>', "the trail's directory (holding <bucket>/AWSLogs/...)")
    .requiredOption('--start-time <time>', 'validate digests delivered on or after this time')
    .option('--end-time <time>', 'and on or before this time (default: now)')
    .option('--verbose', 'also list valid files')
    .option('--public-key <path>', 'PEM public key file or directory (default: the server\'s ListPublicKeys)')
    .option('--trail-name <name>', 'which trail, when the directory holds several')
    .action(async (flags: ValidateFlags) => {
      // Loaded on demand: the trail module is server code, which other commands should not load.
      const { assertTrailDirectory, keysFromPath, keysFromPublicKeyList, validateTrailDirectory } = await import('../../trail/index.js');
      const startMs = parseTimeFlag(flags.startTime, '--start-time');
      const endMs = flags.endTime ? parseTimeFlag(flags.endTime, '--end-time') : systemClock.now();
      await assertTrailDirectory(flags.dir);
      let publicKeys;
      let knownTrails: Array<{ name: string; arn: string }> | undefined;
      if (flags.publicKey) publicKeys = await keysFromPath(flags.publicKey);
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
      const result = await validateTrailDirectory({
        dir: flags.dir, trailName: flags.trailName, publicKeys, startMs, endMs, verbose: flags.verbose === true, knownTrails,
        out: (t) => ctx.io.stdout(t), err: (t) => ctx.io.stderr(t),
      });
      if (result.exitCode !== 0) throw new CliExit(result.exitCode);
    });
}
