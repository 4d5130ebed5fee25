/**
 * The `trail/` mount: CloudTrail's API as Vault logical paths. The AWS edge turns
 * `CloudTrail_20131101.<Op>` into an update on `trail/aws/<Op>` with the AWS JSON body as data;
 * the handler returns the AWS response body as data. Errors are SealtrailErrors whose code is the
 * AWS `__type` (InvalidLookupAttributesException, TrailNotFoundException, ...). Each operation
 * declares the members it reads; each call, through either door, is one CloudTrail event.
 */
import { backendFromPaths, type PathRequest, type BackendFactory, type LogicalResponse, type TokenEntry } from '../core/index.js';
import type { Clock } from '../lib/clock.js';
import { TRAIL_NAME_RULE, isTrailName } from '../lib/trail-name.js';
import { SealtrailError } from '../errors/index.js';
import { memberTypeProblem, operationInput, unrecorded, type Members } from '../lib/aws-members.js';
import { apiCallRecorder, type AwsOperationFacts } from './api-call.js';
import type { TrailRecorder, TrailUserIdentity } from './model.js';
import type { TrailManager, TrailSummary } from './delivery/trail-manager.js';
import { trailStatusShape } from './trail-status.js';
import { lookupEvents } from './lookup/lookup-events.js';
import type { EventStore } from './store/types.js';

export interface TrailBackendDeps {
  store: () => EventStore;
  trails: () => TrailManager;
  region: string;
  accountId: string;
  recorder: TrailRecorder;
  /** The caller as CloudTrail shows it (the KMS engine's users). */
  identify(token: TokenEntry): Promise<TrailUserIdentity>;
}

type OpHandler = (body: Record<string, unknown>) => Promise<Record<string, unknown>>;

const TIME_RANGE: Members = { StartTime: 'number', EndTime: 'number' };
const TIME_RANGE_DATES = ['StartTime', 'EndTime'];

/** The CloudTrail operations served, with their declared members (page tokens are not recorded). */
export const CLOUDTRAIL_OPERATIONS: Readonly<Record<string, AwsOperationFacts>> = {
  LookupEvents: {
    readOnly: true,
    members: { LookupAttributes: { list: { AttributeKey: 'string', AttributeValue: 'string' } }, ...TIME_RANGE, EventCategory: 'string', MaxResults: 'number', NextToken: unrecorded('string') },
    dateMembers: TIME_RANGE_DATES,
  },
  ListPublicKeys: { readOnly: true, members: { ...TIME_RANGE, NextToken: unrecorded('string') }, dateMembers: TIME_RANGE_DATES },
  DescribeTrails: { readOnly: true, members: { trailNameList: 'strings', includeShadowTrails: 'boolean' } },
  GetTrail: { readOnly: true, members: { Name: 'string' } },
  GetTrailStatus: { readOnly: true, members: { Name: 'string' } },
  ListTrails: { readOnly: true, members: { NextToken: unrecorded('string') } },
  GetEventSelectors: { readOnly: true, members: { TrailName: 'string' } },
};

/**
 * What every trail here records, as GetEventSelectors shows it: the default selector, the one a
 * trail without custom selectors has — every management event, read and write (KMS and CloudTrail
 * calls are management events), no data events.
 */
const defaultEventSelectors = () => [{ ReadWriteType: 'All', IncludeManagementEvents: true, DataResources: [], ExcludeManagementEventSources: [] }];

export function cloudTrailOperation(name: string): AwsOperationFacts | undefined {
  return Object.hasOwn(CLOUDTRAIL_OPERATIONS, name) ? CLOUDTRAIL_OPERATIONS[name] : undefined;
}

const TRAIL_ARN = /^arn:aws[a-z-]*:cloudtrail:[a-z0-9-]+:\d{12}:trail\/(.+)$/;

/** A trail named by a name CloudTrail allows (lib/trail-name.ts) or by a trail ARN; anything else is refused as AWS refuses it. */
function checkTrailName(nameOrArn: string): void {
  if (nameOrArn.startsWith('arn:')) {
    const m = TRAIL_ARN.exec(nameOrArn);
    if (!m || !isTrailName(m[1])) throw new SealtrailError('invalid', 'CloudTrailARNInvalidException', 'The trail ARN is not valid. A trail ARN looks like arn:aws:cloudtrail:us-east-2:123456789012:trail/MyTrail.');
    return;
  }
  if (!isTrailName(nameOrArn)) throw new SealtrailError('invalid', 'InvalidTrailNameException', `A trail name must be ${TRAIL_NAME_RULE}.`);
}

const epochMs = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? Math.round(v * 1000) : undefined);

function trailShape(t: TrailSummary, region: string): Record<string, unknown> {
  const shape: Record<string, unknown> = { Name: t.name, S3BucketName: t.bucket };
  if (t.prefix) shape.S3KeyPrefix = t.prefix;
  return {
    ...shape,
    IncludeGlobalServiceEvents: true,
    // A trail holds the events of this server's one region.
    IsMultiRegionTrail: false,
    HomeRegion: region,
    TrailARN: t.arn,
    LogFileValidationEnabled: true,
    HasCustomEventSelectors: false,
    HasInsightSelectors: false,
    IsOrganizationTrail: false,
  };
}

export function trailBackend(deps: TrailBackendDeps): BackendFactory {
  const findTrail = (nameOrArn: unknown): TrailSummary => {
    if (typeof nameOrArn === 'string') checkTrailName(nameOrArn);
    const found = typeof nameOrArn === 'string' ? deps.trails().list().find((t) => t.name === nameOrArn || t.arn === nameOrArn) : undefined;
    if (!found) throw new SealtrailError('not_found', 'TrailNotFoundException', 'Unknown trail for this account.');
    return found;
  };
  const opsAt = (clock: Clock): Record<string, OpHandler> => ({
    LookupEvents: async (body) => ({ ...await lookupEvents(deps.store(), body, clock.now()) }),
    ListPublicKeys: async (body) => {
      const [startMs, endMs] = [epochMs(body.StartTime), epochMs(body.EndTime)];
      if (startMs !== undefined && endMs !== undefined && startMs > endMs) {
        throw new SealtrailError('invalid', 'InvalidTimeRangeException', 'The start time must be before the end time.');
      }
      return { PublicKeyList: await deps.trails().publicKeys(startMs, endMs) };
    },
    // Names or ARNs that match no trail are left out of the list, as AWS leaves them out.
    DescribeTrails: async (body) => {
      const names = Array.isArray(body.trailNameList) ? body.trailNameList : [];
      for (const name of names) if (typeof name === 'string') checkTrailName(name);
      const trails = deps.trails().list().filter((t) => names.length === 0 || names.includes(t.name) || names.includes(t.arn));
      return { trailList: trails.map((t) => trailShape(t, deps.region)) };
    },
    GetTrail: async (body) => ({ Trail: trailShape(findTrail(body.Name), deps.region) }),
    GetTrailStatus: async (body) => trailStatusShape(await deps.trails().status(findTrail(body.Name).name)),
    // One page: the trails are the configuration's, a handful at most.
    ListTrails: async () => ({ Trails: deps.trails().list().map((t) => ({ TrailARN: t.arn, Name: t.name, HomeRegion: deps.region })) }),
    GetEventSelectors: async (body) => ({ TrailARN: findTrail(body.TrailName).arn, EventSelectors: defaultEventSelectors() }),
  });

  return (ctx) => {
    const ops = opsAt(ctx.clock);
    return backendFromPaths([
      {
        pattern: 'aws/(?<op>[A-Za-z]+)',
        handlers: {
          update: async (req: PathRequest): Promise<LogicalResponse> => {
            const op = Object.hasOwn(ops, req.params.op) ? ops[req.params.op] : undefined;
            const facts = cloudTrailOperation(req.params.op);
            if (!op || !facts) throw new SealtrailError('unsupported', 'UnknownOperationException', `Unknown operation ${req.params.op}.`);
            const input = operationInput(req.data, facts.members);
            const mistyped = memberTypeProblem(input, facts.members);
            if (mistyped) throw new SealtrailError('invalid', 'SerializationException', mistyped);
            // Before the call acts: refused while its own CloudTrail event could not be kept (recorder.ts).
            deps.recorder.admit();
            return { data: await op(input) };
          },
        },
      },
    ], {
      recordOutcome: apiCallRecorder({
        recorder: deps.recorder, clock: ctx.clock, accountId: deps.accountId, region: deps.region,
        eventSource: 'cloudtrail.amazonaws.com', actionPrefix: 'cloudtrail', internalType: 'InternalFailure',
        operation: cloudTrailOperation, identify: deps.identify,
      }),
    });
  };
}
