/**
 * CloudTrail wire fidelity through the real dev server, the official AWS SDK v3 CloudTrail client
 * and the real AWS CLI: LookupEvents pages stay stable while the lookups themselves are recorded
 * (the CLI's --max-items paging repeats the first request), EventCategory=insight finds no
 * Insights events, DescribeTrails, ListTrails, GetEventSelectors and GetTrailStatus answer from the
 * configured trail (an empty list in a dev server without one), and validate-logs names the trail by
 * its real ARN.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenerateRandomCommand, KMSClient } from '@aws-sdk/client-kms';
import { CloudTrailClient, DescribeTrailsCommand, GetEventSelectorsCommand, GetTrailStatusCommand, ListTrailsCommand, LookupEventsCommand } from '@aws-sdk/client-cloudtrail';
import { call, startDevServer, type TestServer } from '../helpers/server.js';
import { runIn } from '../cli/harness.js';

const ACCOUNT = '111122223333';
const TRAIL_ARN = `arn:aws:cloudtrail:us-east-1:${ACCOUNT}:trail/main`;
const AWS_CLI = '/usr/bin/aws';

let server: TestServer;
let dir: string;
let trailDir: string;
let credentials: { accessKeyId: string; secretAccessKey: string };
let kms: KMSClient;
let trail: CloudTrailClient;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sealtrail-ctw-'));
  trailDir = join(dir, 'trail-out');
  const configPath = join(dir, 'trail.hcl');
  writeFileSync(configPath, `trail "main" {\n  directory = "${trailDir}"\n  bucket = "wire-bucket"\n  prefix = "st"\n}\n`);
  server = await startDevServer({ configPath, devDataDir: dir });
  credentials = server.awsCredentials;
  kms = new KMSClient({ endpoint: server.address, region: 'us-east-1', credentials });
  trail = new CloudTrailClient({ endpoint: server.address, region: 'us-east-1', credentials });
});
after(async () => {
  kms?.destroy();
  trail?.destroy();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ids = (events: Array<{ EventId?: string }> | undefined) => (events ?? []).map((e) => e.EventId!);

async function kmsCalls(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await kms.send(new GenerateRandomCommand({ NumberOfBytes: 8 }));
}

/** One AWS CLI call against the server, with no profile or config of the machine. */
function awsCli(args: string[]): Promise<any> {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey, AWS_DEFAULT_REGION: 'us-east-1',
  };
  return new Promise((resolve, reject) => {
    execFile(AWS_CLI, ['--endpoint-url', server.address, '--output', 'json', ...args], { env, timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`aws ${args.join(' ')}: ${stderr}`));
      else resolve(stdout.trim() === '' ? {} : JSON.parse(stdout));
    });
  });
}

test('aws cloudtrail lookup-events --max-items 3 pages through --starting-token with no event twice', async () => {
  // Few events, so few CLI runs: each page is a new process.
  await kmsCalls(5);
  const expected = ids((await trail.send(new LookupEventsCommand({}))).Events);
  const printed: string[] = [];
  let starting: string | undefined;
  for (let page = 0; page < 30; page++) {
    const out = await awsCli(['cloudtrail', 'lookup-events', '--max-items', '3', ...(starting ? ['--starting-token', starting] : [])]);
    printed.push(...ids(out.Events));
    starting = out.NextToken;
    if (!starting) break;
  }
  assert.equal(new Set(printed).size, printed.length, `no event printed twice: ${printed.join(' ')}`);
  assert.deepEqual(printed, expected);
});

test('validate-logs names the trail by its real ARN, also before the first digest', async () => {
  mkdirSync(trailDir, { recursive: true });
  const env = { SEALTRAIL_ADDR: server.address, SEALTRAIL_TOKEN: server.rootToken };
  const run = await runIn(['trail', 'validate-logs', '--dir', trailDir, '--start-time', new Date(Date.now() - 3600_000).toISOString()], { env });
  assert.equal(run.code, 0, run.stdout + run.stderr);
  assert.match(run.stdout.split('\n')[0], new RegExp(`^Validating log files for trail ${TRAIL_ARN} between `));
  assert.match(run.stdout, /No digests found/);
});

test('a LookupEvents call does not reshape the next identical call; NextToken pages see the first page\'s result set', async () => {
  await kmsCalls(7);
  const first = await trail.send(new LookupEventsCommand({}));
  const again = await trail.send(new LookupEventsCommand({}));
  assert.deepEqual(ids(again.Events), ids(first.Events), 'the first call is not on top of the second');
  assert.equal(first.Events!.length >= 7, true);

  const seen: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 20; page++) {
    const out = await trail.send(new LookupEventsCommand({ MaxResults: 3, NextToken: token }));
    seen.push(...ids(out.Events));
    // Events recorded while paging (KMS calls too) never enter later pages.
    await kmsCalls(1);
    token = out.NextToken;
    if (!token) break;
  }
  assert.deepEqual(seen, ids(first.Events), 'every event of the first page\'s set once, in order');

  // The lookups are recorded: they join the history with the next other event.
  const lookups = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'LookupEvents' }] }));
  assert.ok(lookups.Events!.length >= 2 + seen.length / 3, 'the lookups made before the last KMS call are listed');
  assert.ok(lookups.Events!.every((e) => e.EventSource === 'cloudtrail.amazonaws.com' && e.ReadOnly === 'true'));
});

test('EventCategory=insight returns only Insights events (none); another category is refused', async () => {
  const insights = await trail.send(new LookupEventsCommand({ EventCategory: 'insight' }));
  assert.deepEqual(insights.Events, []);
  assert.equal(insights.NextToken, undefined);
  await assert.rejects(trail.send(new LookupEventsCommand({ EventCategory: 'management' as 'insight' })), (err: Error) => err.name === 'InvalidEventCategoryException');
});

test('DescribeTrails lists the configured trail as AWS shapes it; unknown names are left out', async () => {
  const described = await trail.send(new DescribeTrailsCommand({}));
  assert.deepEqual(described.trailList, [{
    Name: 'main', S3BucketName: 'wire-bucket', S3KeyPrefix: 'st', IncludeGlobalServiceEvents: true, IsMultiRegionTrail: false,
    HomeRegion: 'us-east-1', TrailARN: TRAIL_ARN, LogFileValidationEnabled: true, HasCustomEventSelectors: false,
    HasInsightSelectors: false, IsOrganizationTrail: false,
  }]);
  assert.deepEqual((await trail.send(new DescribeTrailsCommand({ trailNameList: [TRAIL_ARN] }))).trailList?.map((t) => t.Name), ['main']);
  assert.deepEqual((await trail.send(new DescribeTrailsCommand({ trailNameList: ['nope'], includeShadowTrails: true }))).trailList, []);
});

test('ListTrails and GetEventSelectors answer the SDK and the AWS CLI: the trail, and the default selector it records by', async () => {
  assert.deepEqual((await trail.send(new ListTrailsCommand({}))).Trails, [{ TrailARN: TRAIL_ARN, Name: 'main', HomeRegion: 'us-east-1' }]);
  const selectors = await trail.send(new GetEventSelectorsCommand({ TrailName: 'main' }));
  assert.equal(selectors.TrailARN, TRAIL_ARN);
  assert.deepEqual(selectors.EventSelectors, [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }]);
  await assert.rejects(trail.send(new GetEventSelectorsCommand({ TrailName: 'nope' })), (err: Error) => err.name === 'TrailNotFoundException');
  assert.deepEqual((await awsCli(['cloudtrail', 'list-trails'])).Trails, [{ TrailARN: TRAIL_ARN, Name: 'main', HomeRegion: 'us-east-1' }]);
  assert.equal((await awsCli(['cloudtrail', 'get-event-selectors', '--trail-name', TRAIL_ARN])).EventSelectors[0].ReadWriteType, 'All');
});

test('GetTrailStatus reports the trail writer\'s real state, by name or ARN', async () => {
  const startedBefore = Date.now();
  const fresh = await trail.send(new GetTrailStatusCommand({ Name: 'main' }));
  assert.equal(fresh.IsLogging, true);
  assert.ok(fresh.StartLoggingTime instanceof Date && fresh.StartLoggingTime.getTime() <= startedBefore);
  assert.equal(fresh.LatestDeliveryTime, undefined, 'nothing delivered yet');
  assert.equal(fresh.LatestDigestDeliveryTime, undefined);

  const deliveredFrom = Date.now() - 1000;
  assert.equal((await call(server.address, 'POST', 'sys/trails/main/deliver', { token: server.rootToken })).status, 200);
  const status = await trail.send(new GetTrailStatusCommand({ Name: TRAIL_ARN }));
  assert.equal(status.IsLogging, true);
  assert.ok(status.LatestDeliveryTime!.getTime() >= deliveredFrom && status.LatestDeliveryTime!.getTime() <= Date.now());
  assert.ok(status.LatestDigestDeliveryTime!.getTime() >= deliveredFrom - 1000 && status.LatestDigestDeliveryTime!.getTime() <= Date.now());
  assert.equal(status.LatestDeliveryError, undefined);
  assert.equal(status.StartLoggingTime!.getTime(), fresh.StartLoggingTime!.getTime());
  assert.ok(existsSync(join(trailDir, 'wire-bucket')));

  await assert.rejects(trail.send(new GetTrailStatusCommand({ Name: 'nope' })), (err: Error) => err.name === 'TrailNotFoundException');

  // Each call is one read-only CloudTrail event with its declared parameter.
  await kmsCalls(1);
  const events = await trail.send(new LookupEventsCommand({ LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: 'GetTrailStatus' }] }));
  assert.equal(events.Events?.length, 3);
  const records = events.Events!.map((e) => JSON.parse(e.CloudTrailEvent!));
  assert.deepEqual(records.map((r) => [r.readOnly, r.requestParameters, r.errorCode]), [
    [true, { name: 'nope' }, 'TrailNotFoundException'], [true, { name: TRAIL_ARN }, undefined], [true, { name: 'main' }, undefined],
  ]);
});

test('a dev server without a trail answers DescribeTrails with an empty list and GetTrailStatus with TrailNotFound', async () => {
  const bare = await startDevServer();
  const key = (label: string) => bare.lines.find((l) => l.startsWith(`${label}: `))!.split(': ')[1].split(' ')[0];
  const client = new CloudTrailClient({ endpoint: bare.address, region: 'us-east-1', credentials: { accessKeyId: key('AWS Access Key'), secretAccessKey: key('AWS Secret Key') } });
  try {
    assert.deepEqual((await client.send(new DescribeTrailsCommand({}))).trailList, []);
    await assert.rejects(client.send(new GetTrailStatusCommand({ Name: 'main' })), (err: Error) => err.name === 'TrailNotFoundException');
  } finally {
    client.destroy();
    await bare.stop();
  }
});
