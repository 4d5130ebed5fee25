/**
 * Boots the real dev server (runServer, port 0): core, lifecycle, audit file device, KMS engine at
 * `kms/`, the trail's durable event store and recorder, and the AWS routes, exactly as
 * `sealtrail server -dev` wires them. The recorder is observed (not replaced) so tests can read
 * every event in its internal form as well as through LookupEvents.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadDevCaFromDir, type DevCa } from '../../../src/attestation/index.js';
import type { Core } from '../../../src/core/index.js';
import type { Services } from '../../../src/app/services.js';
import type { KmsEngine } from '../../../src/kms/index.js';
import type { TrailEventInput } from '../../../src/trail/model.js';
import type { ServerRunOptions } from '../../../src/app/run.js';
import { printedValue, startDevServer } from '../../helpers/server.js';

export const ACCOUNT = '111122223333';
export const REGION = 'us-east-1';

export interface KmsTestServer {
  endpoint: string;
  core: Core<Services>;
  engine: KmsEngine;
  devCa: DevCa;
  rootToken: string;
  /** The dev server's one unseal key, for tests that seal and unseal it. */
  unsealKey: string;
  accessKeyId: string;
  secretAccessKey: string;
  events: TrailEventInput[];
  auditFile: string;
  dir: string;
  stop(): Promise<void>;
}

export async function startKmsServer(opts: Partial<ServerRunOptions> = {}): Promise<KmsTestServer> {
  const server = await startDevServer(opts);
  const services = server.core.requireServices();
  const events: TrailEventInput[] = [];
  const recorder = services.trail.recorder;
  const record = recorder.record.bind(recorder);
  recorder.record = async (e) => { await record(e); events.push(e); };
  return {
    endpoint: server.address,
    core: server.core,
    engine: services.kms,
    devCa: await loadDevCaFromDir(join(server.dir, 'dev-ca')),
    rootToken: server.rootToken,
    unsealKey: printedValue(server.lines, 'Unseal Key'),
    ...server.awsCredentials,
    events,
    auditFile: join(server.dir, 'audit.log'),
    dir: server.dir,
    stop: () => server.stop(),
  };
}

/** Awaits `p` to reject with the AWS exception `name` (and a message matching `message`); `what` names the case in a failure. */
export async function rejectsWith(p: Promise<unknown>, name: string, message?: RegExp, what = ''): Promise<void> {
  await assert.rejects(p, (err: Error) => {
    assert.equal(err.name, name, `${what}${what ? ': ' : ''}expected ${name}, got ${err.name}: ${err.message}`);
    if (message) assert.match(err.message, message, what);
    return true;
  });
}

/**
 * A CloudTrail event of KMS's own doing (`AwsServiceEvent`: a key deleted at the end of its
 * waiting period, a rotation) on the key `arn`, as AWS records it; without `eventID` and
 * `eventTime`, which each test checks as it needs.
 */
export function kmsServiceEvent(eventName: string, arn: string, serviceEventDetails?: Record<string, unknown>): Record<string, unknown> {
  return {
    eventVersion: '1.11',
    userIdentity: { accountId: ACCOUNT, invokedBy: 'AWS Internal' },
    eventSource: 'kms.amazonaws.com',
    eventName,
    awsRegion: REGION,
    sourceIPAddress: 'AWS Internal',
    userAgent: 'AWS Internal',
    requestParameters: null,
    responseElements: { keyId: arn },
    readOnly: false,
    resources: [{ accountId: ACCOUNT, type: 'AWS::KMS::Key', ARN: arn }],
    eventType: 'AwsServiceEvent',
    managementEvent: true,
    recipientAccountId: ACCOUNT,
    ...(serviceEventDetails ? { serviceEventDetails } : {}),
    eventCategory: 'Management',
  };
}
