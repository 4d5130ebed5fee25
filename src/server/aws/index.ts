/**
 * The AWS JSON 1.1 edge at `POST /`: KMS (`TrentService.<Op>`) and CloudTrail
 * (`CloudTrail_20131101.<Op>`) calls signed with SigV4.
 *
 *   X-Amz-Target → JSON body → SigV4 (access key → user + linked token)
 *     → LogicalRequest { path: kms/aws/<Op> | trail/aws/<Op>, operation: update, data: body,
 *                        clientToken: linked token } → core.handle (ACL, audit, handler)
 *     → AWS JSON response or {"__type", "message"} → one trail event recorded → reply
 *
 * Calls that fail the signature check still pass the lifecycle without a token, so the audit
 * devices record the refused request; their trail event has an "Unknown" identity. A sealed
 * server answers every call 503 ServiceUnavailableException, with no event (there is no store).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Core } from '../../core/core.js';
import type { LogicalRequest } from '../../core/types.js';
import type { AccessKeyResolver, CallNotesChannel } from '../../kms/index.js';
import { createSigningKeyCache, verifySigV4 } from '../../kms/sigv4/index.js';
import type { Clock } from '../../lib/clock.js';
import { uuid } from '../../lib/ids.js';
import type { TrailRecorder } from '../../trail/model.js';
import type { EdgeLog } from '../errors.js';
import { awsErrorReply, type AwsErrorReply } from './errors.js';
import { buildTrailEvent, type CallIdentity, type EventFacts } from './trail-event.js';
import { parseTarget, type AwsTarget } from './target.js';

/** What the edge needs from the KMS engine while unsealed. */
export interface KmsEdgeAccess {
  users: AccessKeyResolver;
  notes: CallNotesChannel;
}

export interface AwsRoutesDeps {
  core: Core;
  /** The KMS engine's access keys and call notes; undefined while sealed. */
  kms: () => KmsEdgeAccess | undefined;
  /** The trail's recorder; undefined while sealed. */
  recorder: () => TrailRecorder | undefined;
  accountId: string;
  region: string;
  clock: Clock;
  log: EdgeLog;
  /** Body limit of AWS calls in bytes (default 1 MiB: a KMS request is at most a few KiB). */
  maxRequestBytes?: number;
}

export const AWS_JSON = 'application/x-amz-json-1.1';

function headerMap(req: FastifyRequest): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v : [String(v)];
  return headers;
}

function parseBody(raw: unknown): Record<string, unknown> | undefined {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : '';
  if (text.trim() === '') return {};
  try {
    const v: unknown = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export function registerAwsRoutes(app: FastifyInstance, deps: AwsRoutesDeps): void {
  const signingKeys = createSigningKeyCache();

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const requestId = uuid();
    const kms = deps.kms();
    if (!kms || !deps.recorder()) {
      // Sealed: no keys and no event store. The call is refused as every sealed request is (503)
      // and, as Vault does not audit those, not recorded: nothing was done, and there is nowhere
      // to record it until the server is unsealed.
      reply.code(503).header('x-amzn-requestid', requestId).header('content-type', AWS_JSON);
      return reply.send(JSON.stringify({ __type: 'ServiceUnavailableException', message: 'Vault is sealed' }));
    }
    const eventTime = deps.clock.now();
    const targetHeader = typeof req.headers['x-amz-target'] === 'string' ? req.headers['x-amz-target'] : undefined;
    const target = parseTarget(targetHeader);
    const operationName = target?.operation ?? (targetHeader?.split('.').pop() ?? '').slice(0, 64);
    const facts: EventFacts = {
      requestId, eventTime, accountId: deps.accountId, region: deps.region, target, operationName,
      sourceIpAddress: req.ip ?? '', userAgent: String(req.headers['user-agent'] ?? '').slice(0, 1024), resources: [],
    };
    const internalType = target?.service === 'cloudtrail' ? 'InternalFailure' : 'KMSInternalException';
    let principalArn = '';

    const finish = async (status: number, body: Record<string, unknown>, error?: AwsErrorReply) => {
      if (error) facts.error = { type: error.type, message: error.message };
      const recorder = deps.recorder();
      try {
        if (!recorder) throw new Error('no trail recorder (sealed or not wired)');
        await recorder.record(buildTrailEvent(facts));
      } catch (err) {
        // Fail closed, like the audit: a call whose event cannot be stored is not answered as done.
        deps.log.error({ err, requestId }, 'trail: the event of an AWS call could not be recorded');
        status = 500;
        body = { __type: internalType, message: 'internal error' };
      }
      reply.code(status).header('x-amzn-requestid', requestId).header('content-type', AWS_JSON);
      return reply.send(JSON.stringify(body));
    };
    const fail = (e: AwsErrorReply) => finish(e.status, e.message ? { __type: e.type, message: e.message } : { __type: e.type }, e);

    if (!target) return fail({ status: 400, type: 'UnknownOperationException', message: '' });
    const body = parseBody(req.body);
    if (!body) return fail({ status: 400, type: 'SerializationException', message: 'Start of structure or map found where not expected.' });
    facts.body = body;

    const rawUrl = req.raw.url ?? '/';
    const q = rawUrl.indexOf('?');
    const verified = await verifySigV4({
      method: req.method, path: q < 0 ? rawUrl : rawUrl.slice(0, q), query: q < 0 ? '' : rawUrl.slice(q + 1),
      headers: req.headers, body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
    }, { region: deps.region, services: target.signingServices, requiredSignedHeaders: ['x-amz-target'], now: deps.clock.now(), resolve: (id) => kms.users.resolve(id), cache: signingKeys });

    const logical: LogicalRequest = {
      id: uuid(), operation: 'update', path: target.path, data: body,
      clientToken: verified.ok ? verified.identity.token : '',
      remoteAddress: req.socket.remoteAddress ?? '', remotePort: req.socket.remotePort ?? 0, headers: headerMap(req), wrapTtl: 0,
    };
    facts.sealtrailRequestId = logical.id;

    if (!verified.ok) {
      facts.claimedAccessKeyId = verified.accessKeyId;
      // Through the lifecycle without a token: refused there, and audited as refused.
      await deps.core.handle(logical).catch(() => undefined);
      return fail({ status: 400, type: verified.code, message: verified.message });
    }
    const id = verified.identity;
    const identity: CallIdentity = { userName: id.userName, arn: id.arn, principalId: id.principalId, accessKeyId: id.accessKeyId };
    facts.identity = identity;
    principalArn = id.arn;

    try {
      const resp = await deps.core.handle(logical);
      const data = resp.data ?? {};
      facts.response = data;
      takeNotes(kms, target, logical.id, facts);
      return finish(200, data);
    } catch (err) {
      takeNotes(kms, target, logical.id, facts);
      return fail(awsErrorReply(err, { principalArn, action: `${target.service === 'kms' ? 'kms' : 'cloudtrail'}:${target.operation}`, internalType }, deps.log));
    }
  };

  void app.register(async (scope) => {
    scope.setErrorHandler((err, _req, reply) => {
      const e = awsErrorReply(err, { principalArn: '', action: '', internalType: 'KMSInternalException' }, deps.log);
      reply.code(e.status).header('content-type', AWS_JSON).send(JSON.stringify({ __type: e.type, message: e.message }));
    });
    scope.post('/', { bodyLimit: deps.maxRequestBytes ?? 1_048_576 }, handle);
  });
}

function takeNotes(kms: KmsEdgeAccess, target: AwsTarget, logicalId: string, facts: EventFacts): void {
  if (target.service !== 'kms') return;
  const notes = kms.notes.take(logicalId);
  if (!notes) return;
  facts.resources = notes.resources;
  if (notes.recipient) facts.recipient = notes.recipient;
}
