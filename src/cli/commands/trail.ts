/**
 * `sealtrail trail lookup | validate-logs`:
 *   sealtrail trail lookup --lookup-attributes AttributeKey=EventName,AttributeValue=Decrypt --max-results 10
 *     → LookupEvents on the server (POST /v1/trail/aws/LookupEvents); prints the AWS response JSON
 *   sealtrail trail validate-logs --dir /var/lib/sealtrail/trail --start-time 2024-11-14T00:00:00Z --verbose
 *   sealtrail trail validate-logs --s3-bucket audit-bucket --s3-prefix sealtrail --start-time ...
 *     → verifies the digest chain and log files (trail-validate.ts), printing what `aws
 *       cloudtrail validate-logs` prints; exit 1 when any file is INVALID.
 */
import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { remote, usageError } from '../failure.js';
import { parseTimeFlag, registerValidateLogs } from './trail-validate.js';

export { parseTimeFlag };

/** The AWS CLI shorthand `AttributeKey=EventName,AttributeValue=Decrypt`. */
export function parseLookupAttribute(value: string): { AttributeKey: string; AttributeValue: string } {
  const m = /^AttributeKey=([^,]+),AttributeValue=(.*)$/.exec(value.trim());
  if (!m) throw usageError('--lookup-attributes must look like AttributeKey=EventName,AttributeValue=Decrypt');
  return { AttributeKey: m[1], AttributeValue: m[2] };
}

interface LookupFlags { lookupAttributes?: string; startTime?: string; endTime?: string; maxResults?: string; nextToken?: string }

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

  registerValidateLogs(trail, ctx);
}
