/**
 * The HTTP edge: turns HTTP requests into logical requests, hands them to the core, and renders
 * the result in Vault's wire format. No business logic lives here.
 *
 *   HTTP → (body limit, content type, JSON) → LogicalRequest → core.handle → envelope / errors
 *
 * Input the edge refuses for its body (too large, too deep, too many values, not a JSON object,
 * not JSON at all), its query (too many parameters) or its headers (a PATCH that is not a merge
 * patch, a bad X-Vault-Wrap-TTL) still passes the core without its data, so the refusal is audited
 * like any other. A path the edge cannot read (malformed percent-encoding, empty or dot segments,
 * control characters) is refused before a request exists, and is not audited (nor is it in Vault);
 * so is a request whose `Origin` is not this server's own (origin.ts).
 */
import type { ServerResponse } from 'node:http';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ForwardedForConfig, ListenerTlsOptions, RequestLimits } from '../config/index.js';
import { forwardedForHook } from './forwarded-for.js';
import { MAX_WRAP_TTL_SECONDS, type Core, type LogicalRequest } from '../core/index.js';
import { SealtrailError, invalid } from '../errors/index.js';
import { newRequestId } from '../lib/ids.js';
import { setOwn } from '../lib/safe-object.js';
import { parseDurationMs } from '../lib/time.js';
import { fastifyServerOptions, nodeServerOptions, reclaimIdleConnectionsAtCap, tlsServerOptions, type ConnectionLimits } from './connection-limits.js';
import { oneRequestAtATimePerConnection } from './pipelining.js';
import { isAcceptedContentType, isMergePatch, parseJsonObject, unsupportedContentType } from './body.js';
import { admittedBody, bodyAdmission, bodyTooLarge, checkAuditedSize } from './body-admission.js';
import { requestOperation } from './request-operation.js';
import { clientTokenOf } from './client-token.js';
import { checkJsonShape } from './json-shape.js';
import { vaultErrorReply, type EdgeLog } from './errors.js';
import { listMethodFallback } from './list-method.js';
import { peerOf } from './peer.js';
import { checkRequestPath } from './request-path.js';
import { isConsoleUrl, refuseConsoleRequest } from './console.js';
import { renderVaultResponse, type HttpReply } from './vault-response.js';
import { standbyHook, type StandbyView } from './standby-gate.js';
import { handlingTurn } from './handling-turn.js';
import { rateLimitHook } from './rate-limit.js';
import { crossOriginHook, type OwnHostNames } from './origin.js';
import { AWS_ROUTE, headerLists, VAULT_ROUTE } from './routes.js';
import { whenResponseClosed } from './response-closed.js';
import { AWS_JSON } from './aws/index.js';
import { awsErrorReply } from './aws/errors.js';

export interface HttpServerOptions {
  core: Core;
  log: EdgeLog;
  /** Request body limit in bytes (413 above it). */
  maxRequestBytes: number;
  https?: ListenerTlsOptions;
  /**
   * The listener's limits: connection timeouts and cap (connection-limits.ts), body allowances
   * before the token is known, and JSON depth and size limits (config/request-limits.ts).
   */
  limits: ConnectionLimits & RequestLimits;
  /** Whose X-Forwarded-For names the client (forwarded-for.ts). */
  forwardedFor?: ForwardedForConfig;
  /** HA: while this node stands by, requests are redirected to the active node (standby-gate.ts). */
  standby?: StandbyView;
  /** Extra routes (the AWS JSON endpoint at `/`) registered by other modules. */
  register?: (app: FastifyInstance) => void;
  /** The names a browser may address this server by over plain HTTP, beside IP addresses and localhost (origin.ts). */
  hostNames?: OwnHostNames;
}

export function createHttpServer(opts: HttpServerOptions): FastifyInstance {
  // The LIST fallback replays requests through the app it is built into (read only after start).
  const list = listMethodFallback(() => app);
  const app = Fastify({
    logger: false,
    clientErrorHandler: list.clientErrorHandler,
    bodyLimit: opts.maxRequestBytes,
    return503OnClosing: true,
    // A URL the router cannot decode (`%FF`) never reaches a route, and fastify's own answer
    // echoes it: the console answers its own with its headers, anything else in Vault's shape.
    frameworkErrors: (err: Error & { statusCode?: number }, req: FastifyRequest, reply: FastifyReply) => (isConsoleUrl(req.url)
      ? refuseConsoleRequest(reply, err.statusCode ?? 400)
      : send(reply, vaultErrorReply(frameworkError(err), opts.log))),
    ...fastifyServerOptions(opts.limits),
    http: nodeServerOptions(opts.limits),
    ...(opts.https ? { https: { ...opts.https, ...tlsServerOptions(opts.limits) } } : {}),
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;
  app.server.maxConnections = opts.limits.maxConnections;
  reclaimIdleConnectionsAtCap(app.server, opts.limits.maxConnections);
  list.track(app.server);
  app.addHook('onRequest', oneRequestAtATimePerConnection());
  if (opts.forwardedFor) {
    app.addHook('onRequest', forwardedForHook(opts.forwardedFor, (reply, message) => send(reply, { status: 400, contentType: 'application/json', body: JSON.stringify({ errors: [message] }) })));
  }

  // One parser for every content type: accept the JSON-ish ones, refuse the rest (415), and check
  // the JSON's depth and size before anything parses it. The AWS endpoint has its own, since it
  // checks a body only once its signature verifies (aws/index.ts).
  const jsonShape = { maxDepth: opts.limits.maxRequestJsonDepth, maxEntries: opts.limits.maxRequestJsonEntries };
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => {
    const ct = req.headers['content-type'];
    if (!isAcceptedContentType(ct)) return done(unsupportedContentType(ct ?? ''), undefined);
    try {
      const admitted = admittedBody(req);
      checkAuditedSize(body as Buffer, admitted ? admitted.auditedBytes : opts.maxRequestBytes);
      checkJsonShape(body as Buffer, admitted === undefined ? jsonShape : { maxDepth: jsonShape.maxDepth, maxEntries: Math.min(admitted.entries, jsonShape.maxEntries) });
    } catch (err) {
      return done(err as Error, undefined);
    }
    done(null, body);
  });

  // As Vault: an answer that does not choose its own caching (the console's files and the ledger's
  // tiles do) is never kept by a browser or a proxy, since it may hold a secret, a token or a
  // KMS plaintext. @fastify/static sets its headers on the raw response.
  // Nor is it sniffed into another type: a journal record or ledger bundle holds text that
  // clients wrote, served as JSON or bytes, never as a page a browser would run.
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (!reply.hasHeader('cache-control') && !reply.raw.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    if (!reply.hasHeader('x-content-type-options') && !reply.raw.hasHeader('x-content-type-options')) reply.header('x-content-type-options', 'nosniff');
    done(null, payload);
  });

  // Closing (SIGTERM, shutdown): a request in flight gets its answer and then its connection
  // ends. Left open, a client's keep-alive connection would hold the server's exit until the idle
  // timeout (minutes), since close waits for every connection and closes only the idle ones it
  // finds when it starts.
  let closing = false;
  app.addHook('preClose', (done) => { closing = true; done(); });
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    // Fastify appends `; charset=utf-8` to every JSON type sent as a string; Vault answers exactly
    // `application/json` and AWS `application/x-amz-json-1.1`, and clients compare the whole
    // header (hvac reads an error's `errors` only when it is exactly `application/json`).
    const type = reply.getHeader('content-type');
    if (typeof type === 'string' && type.endsWith(FASTIFY_CHARSET) && PLAIN_JSON_TYPES.has(type.slice(0, -FASTIFY_CHARSET.length))) {
      reply.header('content-type', type.slice(0, -FASTIFY_CHARSET.length));
    }
    done(null, payload);
  });

  const send = (reply: FastifyReply, r: HttpReply) => {
    reply.code(r.status);
    if (r.contentType) reply.header('content-type', r.contentType);
    if (r.headers) reply.headers(r.headers);
    return reply.send(r.body ?? '');
  };

  const sendAwsError = (reply: FastifyReply, status: number, type: string, message: string) => reply.code(status)
    .header('x-amzn-requestid', newRequestId()).header('content-type', AWS_JSON)
    .send(Buffer.from(JSON.stringify({ __type: type, message })));

  /** A Vault API request refused for its body: through the core without its data, so it is audited. */
  const refuseInput = async (req: FastifyRequest, reply: FastifyReply, refusal: SealtrailError) => {
    // The rest of an oversized body is not read: the connection ends with the answer.
    if (refusal.kind === 'too_large') reply.header('connection', 'close');
    try {
      await opts.core.handle(toLogicalRequest(req, reply.raw, refusal));
      throw refusal;
    } catch (err) {
      return send(reply, vaultErrorReply(err, opts.log));
    }
  };

  // A request a browser sent for a page on another origin, or on an attacker's name for this
  // server (DNS rebinding): refused before anything acts on it.
  app.addHook('onRequest', crossOriginHook(isApiRequest, opts.hostNames ?? new Set(), (req, reply, message) => (req.routeOptions.url === AWS_ROUTE
    ? sendAwsError(reply, 400, 'AccessDeniedException', message)
    : send(reply, { status: 403, contentType: 'application/json', body: JSON.stringify({ errors: [message] }) }))));

  if (opts.standby) {
    app.addHook('onRequest', standbyHook(opts.standby, {
      isAws: (req) => req.routeOptions.url === AWS_ROUTE,
      vault: (reply, err) => send(reply, vaultErrorReply(err, opts.log)),
      aws: (reply, err) => {
        const e = awsErrorReply(err, { principalArn: '', action: '', internalType: 'KMSInternalException' }, opts.log);
        return sendAwsError(reply, e.status, e.type, e.message);
      },
    }));
  }
  // As Vault, HEAD is answered by sys/health alone: anywhere else it is refused as OPTIONS is,
  // before a request exists, never served as a read (which would audit a secret as returned).
  app.addHook('onRequest', async (req, reply) => (unservedHead(req) ? send(reply, METHOD_NOT_ALLOWED) : undefined));
  // Rate limit quotas count every API call, the AWS endpoint's too, before its body is read.
  app.addHook('onRequest', rateLimitHook({ core: opts.core, log: opts.log }));

  app.setErrorHandler((err, req, reply) => {
    const refusal = bodyRefusal(err);
    // By the route, not the raw target: an absolute-form target (`http://host/v1/...`) is the same request.
    if (refusal && req.routeOptions.url === VAULT_ROUTE) return refuseInput(req, reply, refusal);
    return send(reply, vaultErrorReply(err, opts.log));
  });
  app.setNotFoundHandler((req, reply) => send(reply, req.url.startsWith('/v1/') && !VAULT_METHODS.includes(req.method)
    ? METHOD_NOT_ALLOWED
    : vaultErrorReply(invalidPath(req.url), opts.log)));

  app.route({
    method: VAULT_METHODS,
    url: VAULT_ROUTE,
    preParsing: bodyAdmission(opts.core, {
      authenticated: opts.maxRequestBytes,
      login: opts.limits.maxRequestSizeLogin,
      unauthenticated: opts.limits.maxRequestSizeUnauthenticated,
      entries: opts.limits.maxRequestJsonEntries,
      unauthenticatedEntries: opts.limits.maxRequestJsonEntriesUnauthenticated,
    }),
    handler: async (req, reply) => {
      let logical: LogicalRequest;
      try {
        logical = toLogicalRequest(req, reply.raw);
      } catch (err) {
        return send(reply, vaultErrorReply(err, opts.log));
      }
      try {
        await handlingTurn();
        const resp = await opts.core.handle(logical);
        const r = renderVaultResponse(logical.id, logical.path, resp, logical.mountType);
        if (req.method === 'HEAD') r.body = undefined;
        return send(reply, r);
      } catch (err) {
        return send(reply, vaultErrorReply(err, opts.log));
      }
    },
  });
  opts.register?.(app);
  return app;
}

/** The methods the Vault API takes (LIST arrives as GET, list-method.ts); HEAD on HEAD_PATHS only. */
const VAULT_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Where Vault answers HEAD: sys/health, a load balancer's probe (http/sys_health.go). */
const HEAD_PATHS = new Set(['sys/health']);
/** What Fastify appends to a JSON type sent as a string, and the types answered without it. */
const FASTIFY_CHARSET = '; charset=utf-8';
const PLAIN_JSON_TYPES = new Set(['application/json', AWS_JSON]);

/** Vault's answer to any other method (OPTIONS, TRACE, ...), before a request exists: not audited. */
const METHOD_NOT_ALLOWED = { status: 405, contentType: 'application/json', body: '{"errors":[]}' } as const;

/** The routes that act on a request: the Vault API and the AWS endpoint (the console only serves files). */
function isApiRequest(req: FastifyRequest): boolean {
  return req.routeOptions.url === VAULT_ROUTE || req.routeOptions.url === AWS_ROUTE;
}

/** A HEAD on a Vault API path that does not take it (any but HEAD_PATHS, or one the edge cannot read). */
function unservedHead(req: FastifyRequest): boolean {
  if (req.method !== 'HEAD' || req.routeOptions.url !== VAULT_ROUTE) return false;
  try {
    return !HEAD_PATHS.has(checkRequestPath((req.params as Record<string, string>)['*'] ?? ''));
  } catch {
    return true;
  }
}

function invalidPath(url: string): SealtrailError {
  const path = url.split('?')[0].slice(0, 200);
  return new SealtrailError('not_found', 'no_route', `no handler for route "${path}". route entry not found.`);
}

function frameworkError(err: Error): unknown {
  const code = (err as { code?: string }).code;
  if (code === 'FST_ERR_BAD_URL') return invalid('invalid request path: malformed percent-encoding', 'invalid_path');
  if (code === 'FST_ERR_MAX_PARAM_LENGTH') return invalid('invalid request path: too long', 'invalid_path');
  return err;
}

/** The errors about a request's body, query or headers that the lifecycle audits as refusals. */
const BODY_REFUSALS = new Set(['body_too_large', 'json_too_deep', 'json_too_many_entries', 'malformed_json', 'query_too_many_parameters', 'unsupported_content_type']);

function bodyRefusal(err: unknown): SealtrailError | undefined {
  if (err instanceof SealtrailError) return BODY_REFUSALS.has(err.code) ? err : undefined;
  return (err as { code?: string } | undefined)?.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ? bodyTooLarge() : undefined;
}

/**
 * The logical request; with `refused`, its body is left out and the core refuses it with that
 * error. A request whose path cannot be read is refused here, before a request exists (not audited).
 */
function toLogicalRequest(req: FastifyRequest, res: ServerResponse, refused?: SealtrailError): LogicalRequest {
  const query = (req.query ?? {}) as Record<string, string | string[]>;
  let path = checkRequestPath((req.params as Record<string, string>)['*'] ?? '');
  const operation = requestOperation(req);
  if (!operation) throw new SealtrailError('unsupported', 'unsupported_method', 'unsupported operation');
  if (operation === 'list' && !path.endsWith('/') && path !== '') path += '/';

  // Headers the request cannot be served with are refused like a body that cannot be read.
  let inputError = refused;
  if (!inputError && operation === 'patch' && !isMergePatch(req.headers['content-type'])) {
    // As Vault: a PATCH body is a JSON merge patch (RFC 7396) and must say so.
    const shown = (req.headers['content-type'] ?? '').split(';')[0].trim().slice(0, 100);
    inputError = new SealtrailError('invalid', 'unsupported_content_type', `PATCH requires Content-Type of application/merge-patch+json, got "${shown}"`);
  }
  let wrapTtl = 0;
  const wrapHeader = req.headers['x-vault-wrap-ttl'];
  if (typeof wrapHeader === 'string' && wrapHeader !== '') {
    // Bounded here, before anything acts on the request: checked only when the answer is wrapped,
    // an out-of-range TTL would refuse a request whose handler had already written a version,
    // minted a token or spent a wrapping token. A TTL under a second is refused, not rounded: the
    // range is 1s to 31 days.
    const ms = parseDurationMs(wrapHeader);
    if (ms === undefined || ms < 1000 || ms > MAX_WRAP_TTL_SECONDS * 1000) {
      inputError ??= invalid(`X-Vault-Wrap-TTL must be a duration from 1s to ${MAX_WRAP_TTL_SECONDS}s`, 'wrapping_ttl_invalid');
    } else wrapTtl = Math.floor(ms / 1000);
  }

  let data: Record<string, unknown> = {};
  if (inputError) {
    // No data: it was not read in full, could not be parsed, or a header refused the request.
  } else if (operation === 'update' || operation === 'patch') {
    try {
      data = parseJsonObject(req.body as Buffer | undefined);
    } catch (err) {
      inputError = bodyRefusal(err);
      if (!inputError) throw err;
    }
  } else {
    for (const [k, v] of Object.entries(query)) if (!(operation === 'list' && k === 'list')) setOwn(data, k, Array.isArray(v) ? v[v.length - 1] : v);
  }

  const headers = headerLists(req);
  const clientToken = clientTokenOf(req.headers);
  return {
    id: newRequestId(),
    operation,
    path,
    data,
    clientToken,
    ...peerOf(req.raw),
    headers,
    wrapTtl,
    method: req.method,
    inputError,
    whenAnswered: whenClosed(res),
  };
}

/** Calls `done` once the response is closed: sent in full, or its connection gone. */
const whenClosed = (res: ServerResponse) => (done: () => void): void => whenResponseClosed(res, done);
