/**
 * The AWS JSON 1.1 edge at `POST /`: KMS (`TrentService.<Op>`) and CloudTrail
 * (`CloudTrail_20131101.<Op>`) calls signed with SigV4.
 *
 *   SigV4 over the body's bytes (x-amz-target signed; access key → user + linked token)
 *     → X-Amz-Target → JSON body (depth and entry limits, then parsed)
 *     → LogicalRequest { id: the x-amzn-RequestId, path: kms/aws/<Op> | trail/aws/<Op>,
 *                        data: the operation's declared members, clientToken: linked token }
 *     → core.handle (ACL, audit, handler, the call's CloudTrail event) → AWS JSON response
 *
 * No body is scanned or parsed before its signature verifies (SigV4 hashes the raw bytes), so an
 * unauthenticated caller's body costs one hash whatever it holds. A verified call whose identity's
 * policies grant its operation nothing may send only `maxRefusedJsonEntries` JSON values (each
 * costs an HMAC in its audit entries) and `maxUnauthenticatedBytes` as audited (body-admission.ts);
 * past them it is refused as the ACL would refuse it
 * (AccessDeniedException, with its CloudTrail event), with none of its body. A body over
 * `maxUnauthenticatedBytes`, or of unknown length, is read only when the headers alone do not
 * refuse the call (a known access key, in scope, signed within 15 minutes): otherwise the call
 * gets the same refusal at once, audited, and the connection is closed with none of the body read.
 *
 * A call refused here — no or a bad signature, an unknown target, an unreadable body — is audited
 * as a request and a response entry with its error (`core.refuse`), with none of its body, and
 * leaves no CloudTrail event: only authenticated calls to known operations do, as in AWS, and
 * those are recorded by the mount (whichever door the call came through). A sealed server answers
 * every call 503 ServiceUnavailableException, unaudited like every sealed request.
 */
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requestStanding, type Core, type LogicalRequest } from '../../core/index.js';
import { SealtrailError, type AwsErrorType } from '../../errors/index.js';
import type { AccessKeyResolver } from '../../kms/index.js';
import { checkSigV4Headers, createSigningKeyCache, verifySigV4 } from './sigv4/index.js';
import { operationInput } from '../../lib/aws-members.js';
import { mayHoldLoneSurrogate, replaceLoneSurrogates } from '../../lib/well-formed.js';
import type { Clock } from '../../lib/clock.js';
import { newRequestId } from '../../lib/ids.js';
import { isAcceptedContentType } from '../body.js';
import { checkAuditedSize, declaredLength } from '../body-admission.js';
import type { EdgeLog } from '../errors.js';
import { checkJsonShape, type JsonShapeLimits } from '../json-shape.js';
import { peerOf } from '../peer.js';
import { handlingTurn } from '../handling-turn.js';
import { awsErrorReply, type AwsErrorReply } from './errors.js';
import { parseTarget, targetOperation } from './target.js';
import { AWS_ROUTE } from '../routes.js';

export interface AwsRoutesDeps {
  core: Core;
  /** The KMS engine's access keys; undefined while sealed. */
  users: () => AccessKeyResolver | undefined;
  region: string;
  clock: Clock;
  log: EdgeLog;
  /** Body limit of AWS calls in bytes (default 1 MiB: a KMS request is at most a few KiB). */
  maxRequestBytes?: number;
  /** JSON depth and entry limits of a signed body (`max_request_json_depth`, `max_request_json_entries`). */
  jsonLimits: JsonShapeLimits;
  /** Body limit of a call its headers already refuse (`max_request_size_unauthenticated`; default 64 KiB). */
  maxUnauthenticatedBytes?: number;
  /**
   * JSON entries of a signed call whose identity's policies grant its operation nothing
   * (`max_request_json_entries_unauthenticated`; default 1,000): it is refused whatever it sends.
   */
  maxRefusedJsonEntries?: number;
}

export const AWS_JSON = 'application/x-amz-json-1.1';
/** Every credential scope a target may be signed for: a call is verified before its target is read. */
const ALL_SERVICES = ['kms', 'cloudtrail'];

/** Lower-cased header name → values, in a null-prototype map (no name reaches a prototype). */
function headerMap(req: FastifyRequest): Record<string, string[]> {
  const headers: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v : [String(v)];
  return headers;
}

const refusal = (type: AwsErrorType, message: string) => new SealtrailError('invalid', type, message);

/** Names the content type AWS calls send, never the one received: the refusal is audited. */
const notJson = () => new SealtrailError('invalid', 'unsupported_content_type', `The request body must be JSON (${AWS_JSON}).`);

/** A signed body as a JSON object; over the limits it is refused before JSON.parse sees it. */
function parseBody(raw: Buffer, limits: JsonShapeLimits): Record<string, unknown> {
  checkJsonShape(raw, limits);
  const text = raw.toString('utf8');
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
    // A lone surrogate is U+FFFD for the handler as for the audit entry and the event (lib/well-formed.ts).
    if (mayHoldLoneSurrogate(text)) v = replaceLoneSurrogates(v);
  } catch {
    // Refused below, as any body that is not an object.
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw refusal('SerializationException', 'Start of structure or map found where not expected.');
  return v as Record<string, unknown>;
}

function logicalRequest(req: FastifyRequest, id: string, path: string, headers: Record<string, string[]>, clientToken: string): LogicalRequest {
  return {
    id, operation: 'update', path, data: {}, clientToken,
    ...peerOf(req.raw), headers, wrapTtl: 0, method: req.method,
  };
}

export function registerAwsRoutes(app: FastifyInstance, deps: AwsRoutesDeps): void {
  const signingKeys = createSigningKeyCache();
  const maxBytes = deps.maxRequestBytes ?? 1_048_576;
  const unauthenticatedBytes = Math.min(deps.maxUnauthenticatedBytes ?? 65_536, maxBytes);
  const signatureOptions = (users: AccessKeyResolver, target: ReturnType<typeof parseTarget>) => ({
    region: deps.region, services: target?.signingServices ?? ALL_SERVICES, requiredSignedHeaders: ['x-amz-target'],
    now: deps.clock.now(), resolve: (id: string) => users.resolve(id), cache: signingKeys,
  });

  const refusedLimits: JsonShapeLimits = { maxDepth: deps.jsonLimits.maxDepth, maxEntries: Math.min(deps.maxRefusedJsonEntries ?? 1000, deps.jsonLimits.maxEntries) };
  /**
   * Whether a verified call's identity's policies grant its operation nothing, so that its body is
   * held to the small limits. A body too short to exceed them (each entry past the first takes two
   * bytes at least), every usual KMS call, needs no lookup.
   */
  const refusedOutright = async (body: Buffer, token: string, path: string): Promise<boolean> =>
    body.length > 2 * refusedLimits.maxEntries && (await requestStanding(deps.core, path, token, 'update')) === 'refused_token';

  /** Requests refused before their body was read: their connection ends with the answer. */
  const unread = new WeakSet<object>();

  /**
   * A body larger than a refused call may send is read only for a call its headers do not refuse
   * (a fastify `preParsing` hook). Small bodies, every usual KMS call, pass without a lookup.
   */
  function admitBody(req: FastifyRequest, _reply: FastifyReply, payload: Readable, done: (err: Error | null, stream?: Readable) => void): void {
    const declared = declaredLength(req);
    if (declared !== undefined && declared <= unauthenticatedBytes) return done(null, payload);
    const users = deps.users();
    if (!users) return done(null, payload);
    const headers = headerMap(req);
    checkSigV4Headers(headers, signatureOptions(users, parseTarget(headers['x-amz-target']?.[0]))).then((checked) => {
      if (checked.ok) return done(null, payload);
      unread.add(req.raw);
      done(refusal(checked.code, checked.message));
    }, (err: Error) => done(err));
  }

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const requestId = newRequestId();
    const send = (status: number, body: Record<string, unknown>) => {
      reply.code(status).header('x-amzn-requestid', requestId).header('content-type', AWS_JSON);
      return reply.send(JSON.stringify(body));
    };
    const fail = (e: AwsErrorReply) => send(e.status, e.message ? { __type: e.type, message: e.message } : { __type: e.type });
    await handlingTurn();
    const users = deps.users();
    // Sealed: no keys, no audit devices. Refused as every sealed request is, and not recorded.
    if (!users) return send(503, { __type: 'ServiceUnavailableException', message: 'Vault is sealed' });

    const headers = headerMap(req);
    const targetHeader = headers['x-amz-target']?.[0];
    const target = parseTarget(targetHeader);
    const internalType = target?.service === 'cloudtrail' ? 'InternalFailure' : 'KMSInternalException';
    const rawUrl = req.raw.url ?? '/';
    const q = rawUrl.indexOf('?');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const verified = await verifySigV4({
      method: req.method, path: q < 0 ? rawUrl : rawUrl.slice(0, q), query: q < 0 ? '' : rawUrl.slice(q + 1),
      headers, body: raw,
    }, signatureOptions(users, target));

    const logical = logicalRequest(req, requestId, target?.path ?? 'kms/aws/', headers, verified.ok ? verified.identity.token : '');
    const errorContext = { principalArn: verified.ok ? verified.identity.arn : '', action: target ? `${target.service}:${target.operation}` : '', internalType };
    // core.refuse always throws: the refusal once audited, or why it could not be (sealed, audit down).
    const refuse = (err: SealtrailError) => deps.core.refuse(logical, err).catch((thrown: unknown) => fail(awsErrorReply(thrown, errorContext, deps.log)));

    if (!verified.ok) return refuse(refusal(verified.code, verified.message));
    if (!target) return refuse(refusal('UnknownOperationException', ''));
    let body: Record<string, unknown>;
    try {
      const refused = await refusedOutright(raw, verified.identity.token, target.path);
      // Its keys (an encryption context's) are audited as sent: held to the allowance of a refused call as written.
      checkAuditedSize(raw, refused ? unauthenticatedBytes : maxBytes);
      body = parseBody(raw, refused ? refusedLimits : deps.jsonLimits);
    } catch (err) {
      if (!(err instanceof SealtrailError)) throw err;
      // Too large for an identity the ACL refuses: through the lifecycle, which refuses it as the
      // ACL would and records its CloudTrail event.
      if (err.kind === 'too_large') return deps.core.handle({ ...logical, inputError: err }).then(() => fail(awsErrorReply(err, errorContext, deps.log)), (thrown: unknown) => fail(awsErrorReply(thrown, errorContext, deps.log)));
      return refuse(err);
    }
    const operation = targetOperation(target);
    // Only the operation's declared members go on; an unknown operation carries nothing of its body.
    const call: LogicalRequest = { ...logical, data: operation ? operationInput(body, operation.members) : {} };
    try {
      const resp = await deps.core.handle(call);
      return send(200, resp.data ?? {});
    } catch (err) {
      return fail(awsErrorReply(err, errorContext, deps.log));
    }
  };

  void app.register(async (scope) => {
    // The body stays bytes until the handler has verified its signature; only the content type
    // is checked before.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
      if (!isAcceptedContentType(req.headers['content-type'])) return done(notJson(), undefined);
      done(null, body);
    });
    // Bodies refused before the handler (over the size limit, not JSON) are audited like any refusal.
    scope.setErrorHandler(async (err, req, reply) => {
      const requestId = newRequestId();
      let e = awsErrorReply(err, { principalArn: '', action: '', internalType: 'KMSInternalException' }, deps.log);
      if (deps.users()) {
        const refused = new SealtrailError(e.status >= 500 ? 'internal' : 'invalid', e.type as AwsErrorType, e.message);
        const headers = headerMap(req);
        const path = parseTarget(headers['x-amz-target']?.[0])?.path ?? 'kms/aws/';
        await deps.core.refuse(logicalRequest(req, requestId, path, headers, ''), refused).catch((thrown: unknown) => {
          if (thrown !== refused) e = awsErrorReply(thrown, { principalArn: '', action: '', internalType: 'KMSInternalException' }, deps.log);
        });
      }
      reply.code(e.status).header('x-amzn-requestid', requestId).header('content-type', AWS_JSON);
      // The rest of an oversized or unread body is not read: the connection ends with the answer.
      if (e.status === 413 || unread.has(req.raw)) reply.header('connection', 'close');
      return reply.send(JSON.stringify({ __type: e.type, message: e.message }));
    });
    scope.addHook('preParsing', admitBody);
    scope.post(AWS_ROUTE, { bodyLimit: maxBytes }, handle);
  });
}
