/**
 * The request lifecycle — the one place where tokens, ACLs, audit and handlers meet:
 *
 *   route → token lookup → existence check → ACL → token use → AUDIT REQUEST → handler
 *         → mint login token (announced to the engines that ask: sessions.ts) → AUDIT RESPONSE
 *         → the mount's own record (recordOutcome) → the handler's `afterRecorded` → reply
 *           (if it fails, a second response entry with its error)
 *
 * Fail-closed: if no audit device records the request entry the handler never runs and the client
 * gets 500 "internal error"; if the response entry or the mount's record is not written the client
 * also gets 500. A handler's `outcomeFacts` (on its response or its error) go to the mount's record
 * alone. Refused requests (bad token, ACL, no route, input the edge refused) are audited too, as a
 * request entry and a response entry sharing the request's id, with their error (an error's
 * `auditText`, which leaves out request values the entry hashes) written as Vault writes it
 * (refusal.ts).
 */
import { SealtrailError, internal, invalid, notFound, permissionDenied, sealed } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { AuditShared, type AuditInput } from './contract/audit.js';
import { nonAssignablePolicy, sanitizePolicies } from './contract/policy-names.js';
import { aclMayGrant, possibleOperations } from './admission.js';
import { matchesPathList } from './glob.js';
import { refusalTexts, type RefusalTexts } from './refusal.js';
import { responseHasContent } from './response.js';
import { announceSession } from './sessions.js';
import type { MountedBackend } from './mount-table.js';
import type { CoreServices } from './services.js';
import type { BackendRequest, LogicalRequest, LogicalResponse, Operation, OutcomeFacts, RequestOutcome, TokenEntry } from './contract/types.js';

const NO_POLICIES: readonly string[] = Object.freeze([]);
const DENIED = Object.freeze({ allowed: false, grantingPolicies: NO_POLICIES });
const UNAUTHENTICATED = Object.freeze({ allowed: true, grantingPolicies: NO_POLICIES });
const ACL_REFUSAL = refusalTexts(permissionDenied(), 'acl');
const NO_ROUTE_REFUSAL = (err: SealtrailError) => refusalTexts(err, 'no_route');
const WRAPPING_NEEDS_TOKEN = () => invalid('response wrapping needs a valid token, except for the response to a login', 'wrapping_requires_token');

/** Tokens whose last use the request counted: revoked once it is done (`runLifecycle`). */
type Spent = TokenEntry[];

/** Counts one use of `token`; a last use is noted in `spent`. */
async function useToken(token: TokenEntry, services: CoreServices, spent: Spent): Promise<number> {
  const { remainingUses, lastUse } = await services.tokens.use(token);
  if (lastUse) spent.push(token);
  return remainingUses;
}

/** Whether the token's policies let it wrap the answer of a path served without a token; if so a limited token spends a use. */
async function admitWrapOfUnauthenticated(
  token: TokenEntry, req: LogicalRequest, operation: Operation, listParameters: readonly string[] | undefined, services: CoreServices, spent: Spent,
): Promise<boolean> {
  const acl = await services.policies.acl(token.policies);
  if (!acl.check(req.path, operation, { data: req.data, wrapTtl: req.wrapTtl, listParameters }).allowed) return false;
  if (token.numUses > 0) await useToken(token, services, spent);
  return true;
}

export interface LifecycleLog {
  error(obj: object, msg: string): void;
}

export interface LifecycleDeps {
  clock: Clock;
  log: LifecycleLog;
}

/**
 * Handles one logical request on an unsealed server. Throws SealtrailError for the edge to map.
 * A token whose last use the request counted is revoked once the request is done, answered or
 * refused, as Vault defers it: the request itself still acts as the token.
 */
export async function runLifecycle(req: LogicalRequest, services: CoreServices, deps: LifecycleDeps): Promise<LogicalResponse> {
  const spent: Spent = [];
  try {
    return await handle(req, services, deps, spent);
  } finally {
    for (const token of spent) {
      // The token serves no other request already; the tidy pass revokes it if this fails.
      await services.tokens.revokeSpent(token).catch((err: unknown) => deps.log.error({ err }, 'a token could not be revoked after its last use'));
    }
  }
}

async function handle(req: LogicalRequest, services: CoreServices, deps: LifecycleDeps, spent: Spent): Promise<LogicalResponse> {
  const { audit, tokens, policies, mounts } = services;
  const route = mounts.route(req.path);
  const relPath = route ? relativePath(req.path, route) : req.path;
  // The ACL judges each parameter as the handler reads it, where the path says how (Backend.listParameters).
  const listParameters = route?.backend.listParameters?.(relPath);
  // Every field is present from the start: one object shape for every request, which is what
  // lets the response and error entries' `{ ...input }` below be a fast copy instead of a generic
  // one. The mapped type makes a field added to AuditInput a compile error until it is listed.
  const input: { [K in keyof Required<AuditInput>]: AuditInput[K] } = {
    request: req, operation: req.operation, mount: undefined, token: undefined, remainingUses: undefined, response: undefined,
    issuedAuth: undefined, policyResults: undefined, error: undefined, auditedHeaders: undefined, timeNs: 0n,
    shared: audit.hooks.enabled ? new AuditShared() : undefined,
  };
  if (route) {
    input.mount = route.entry;
    req.mountType = route.entry.type;
  }

  // A refusal writes both entries, fail-closed like any request, before the error reaches the edge.
  const refuse = async (err: SealtrailError, texts: RefusalTexts = refusalTexts(err)): Promise<never> => {
    input.error = texts.request;
    input.timeNs = deps.clock.nowNs();
    await recordOrFail(() => audit.hooks.logRequest(input), deps, 'request');
    const respInput: AuditInput = { ...input, error: texts.response, response: { data: { error: texts.data } }, timeNs: deps.clock.nowNs() };
    await recordOrFail(() => audit.hooks.logResponse(respInput), deps, 'response');
    if (route && input.token) await recordOutcome(route, { request: req, path: relPath, token: input.token, error: err }, deps);
    throw err;
  };

  // 1. Token (unless the backend declares the path unauthenticated).
  const unauthenticated = route !== undefined && matchesPathList(relPath, route.backend.unauthenticatedPaths);
  let token: TokenEntry | undefined;
  if (!unauthenticated || req.clientToken !== '') {
    token = req.clientToken === '' ? undefined : await tokens.lookup(req.clientToken);
    input.token = token;
    if (!token && !unauthenticated && !req.inputError) return refuse(permissionDenied('invalid_token'));
  }
  // Input the edge could not accept is refused before anything acts on the request, with the
  // token (if valid) named in its audit entry. A body held to the small allowance because the
  // token's policies grant nothing here (server/body-admission.ts) is refused for what it is: the
  // ACL's refusal, which no smaller body would have avoided.
  if (req.inputError) {
    if (token && !unauthenticated && req.inputError.kind === 'too_large' && !(await aclMayGrant(services, token, req.path, possibleOperations(req.operation)))) {
      input.policyResults = DENIED;
      return refuse(permissionDenied(), ACL_REFUSAL);
    }
    return refuse(req.inputError);
  }

  // 2. create vs update, decided by the backend's existence check.
  let operation: Operation = req.operation;
  if (route && operation === 'update' && route.backend.existenceCheck) {
    const exists = await route.backend.existenceCheck(backendRequest(req, route, relPath, operation, token));
    if (!exists) operation = 'create';
  }
  input.operation = operation;
  req.operation = operation;

  // 3. ACL (root-protected paths also need sudo).
  let denied = false;
  if (!unauthenticated && token) {
    const acl = await policies.acl(token.policies);
    const decision = acl.check(req.path, operation, { data: req.data, wrapTtl: req.wrapTtl, listParameters });
    const needsSudo = route !== undefined && matchesPathList(relPath, route.backend.rootPaths);
    denied = !decision.allowed || (needsSudo && !decision.sudo);
    input.policyResults = denied ? DENIED : { allowed: true, grantingPolicies: decision.grantingPolicies ?? NO_POLICIES };
  } else if (unauthenticated) {
    // Vault checks a login path's policies as unauthenticated, which allows it, granted by none.
    input.policyResults = UNAUTHENTICATED;
  }

  // 4. Count the use (the last one marks the token spent). As in Vault, before acting on the ACL's
  // or the router's refusal: a refused request is a use too, so a limited-use token is not an
  // unlimited probe of what it may not do. A path that needs no token spends none, as in Vault:
  // the CLI's mount lookup before every `kv` command, or a wrapping lookup, would otherwise use up
  // a limited token (and destroy a wrapped response) without the token granting anything.
  if (token && token.numUses > 0 && !unauthenticated) {
    try {
      input.remainingUses = await useToken(token, services, spent);
    } catch (err) {
      // Another request spent the last use (or revoked the token) meanwhile.
      if (err instanceof SealtrailError && err.kind !== 'internal') return refuse(err);
      throw err;
    }
  }
  if (denied) return refuse(permissionDenied(), ACL_REFUSAL);
  if (!route) {
    const err = notFound(`no handler for route "${req.path}". route entry not found.`, 'no_route');
    return refuse(err, NO_ROUTE_REFUSAL(err));
  }

  // 5. Audit the request, fail-closed.
  input.timeNs = deps.clock.nowNs();
  if (audit.hooks.enabled) await recordOrFail(() => audit.hooks.logRequest(input), deps, 'request');
  // Sealing (or an HA node standing down) closed the services while the entry was being recorded:
  // the handler would act through storage the seal is taking away, with no device left to record
  // its answer.
  if (services.closing) throw sealed();

  // 6. The handler.
  let response: LogicalResponse;
  let facts: OutcomeFacts | undefined;
  let afterRecorded: (() => Promise<void>) | undefined;
  // What the handler answered, before any wrapping: the mount's own record (a CloudTrail event's
  // responseElements) describes the call, not the wrapping token the client got for it.
  let answered: LogicalResponse;
  try {
    response = (await route.backend.handleRequest(backendRequest(req, route, relPath, operation, token))) ?? {};
    if (response.outcomeFacts || response.afterRecorded) {
      // Kept aside for the mount's record and for the end: nothing after this (audit, wrapping,
      // the edge) sees them.
      const { outcomeFacts, afterRecorded: after, ...rest } = response;
      facts = outcomeFacts;
      afterRecorded = after;
      response = rest;
    }
    if (response.auth && !response.issuedAuth) response = { ...response, issuedAuth: await mintLoginToken(response, route, req, services) };
    if (response.startsSession) {
      const { startsSession, ...rest } = response;
      await announceSession(startsSession, route.entry, req, services);
      response = rest;
    }
    answered = response;
    if (response.sealToken) response = sealedLogin(response);
    // Asked for a wrapped response: the client (and the response entry) get a wrapping token instead.
    // An empty answer stays as it is; a raw one is refused by wrap() rather than sent unwrapped.
    if (req.wrapTtl > 0 && (response.raw !== undefined || responseHasContent(response))) {
      // Wrapping stores the response for up to 31 days: without a valid token only a login's
      // answer may be wrapped (as Vault wraps logins), else any anonymous caller could fill the disk.
      if (!token && !response.issuedAuth) throw WRAPPING_NEEDS_TOKEN();
      // On a path that needs no token (sys/wrapping/lookup) the token's policies were not asked and
      // no use was spent; storing a wrapped answer is the token's act, so it asks both now: the
      // policies must grant the path (with their min/max_wrapping_ttl), and a limited token spends a use.
      if (token && unauthenticated && !response.issuedAuth && !(await admitWrapOfUnauthenticated(token, req, operation, listParameters, services, spent))) {
        input.policyResults = DENIED;
        throw permissionDenied();
      }
      response = await services.wrapping.wrap(response, req.path, req.wrapTtl);
    }
  } catch (err) {
    const failure = asSealtrailError(err);
    // An error without a message (KMS's InvalidCiphertextException) is recorded by its code, so
    // the entry never reads as a success.
    const errInput: AuditInput = { ...input, error: failure.auditText || failure.code, timeNs: deps.clock.nowNs() };
    const data = failure.auditData ? { ...failure.auditData } : clientErrorData(failure);
    if (data) errInput.response = { data };
    await recordOrFail(() => audit.hooks.logResponse(errInput), deps, 'response');
    if (token) await recordOutcome(route, { request: req, path: relPath, token, error: failure, facts: failure.outcomeFacts }, deps);
    throw failure;
  }

  // 7. Audit the response, fail-closed.
  if (audit.hooks.enabled) {
    // A sealed login's entry records the token as minted (HMAC'd), as any login's does.
    const respInput: AuditInput = { ...input, response, issuedAuth: response.issuedAuth && answered.issuedAuth, timeNs: deps.clock.nowNs() };
    if (response.httpStatus !== undefined && response.httpStatus >= 400) respInput.error = errorText(response);
    await recordOrFail(() => audit.hooks.logResponse(respInput), deps, 'response');
  }
  // The response entry said what the handler answered; what had to follow it failed (the mount's
  // own record could not be kept, a rekey voided before its new key was written): a second
  // response entry with the error, so the trail ends as the client's answer does.
  const endsInError = async (err: unknown): Promise<never> => {
    const failure = asSealtrailError(err);
    if (audit.hooks.enabled) {
      await recordOrFail(() => audit.hooks.logResponse({ ...input, error: failure.auditText || failure.code, timeNs: deps.clock.nowNs() }), deps, 'response');
    }
    throw failure;
  };
  if (token) await recordOutcome(route, { request: req, path: relPath, token, response: answered, facts }, deps).catch(endsInError);
  if (afterRecorded) await afterRecorded().catch(endsInError);
  return response;
}

/**
 * A request an edge refused before it could be handled (a bad AWS signature, an unknown AWS
 * target, an unreadable body): audited as a request entry and a response entry that carry the
 * error, fail-closed like any request, then the error is thrown for the edge to render. The
 * request's data is whatever the edge chose to keep (for AWS calls: nothing of the body).
 */
export async function auditRefusal(req: LogicalRequest, err: SealtrailError, services: CoreServices, deps: LifecycleDeps): Promise<never> {
  const { audit, tokens, mounts } = services;
  const route = mounts.route(req.path);
  if (route) req.mountType = route.entry.type;
  const token = req.clientToken === '' ? undefined : await tokens.lookup(req.clientToken);
  const input: AuditInput = {
    request: req, operation: req.operation, mount: route?.entry, token, error: err.auditText || err.code, timeNs: deps.clock.nowNs(),
    shared: audit.hooks.enabled ? new AuditShared() : undefined,
  };
  await recordOrFail(() => audit.hooks.logRequest(input), deps, 'request');
  await recordOrFail(() => audit.hooks.logResponse({ ...input, timeNs: deps.clock.nowNs() }), deps, 'response');
  throw err;
}

/** The backend's own record of the request (`Backend.recordOutcome`), fail-closed. */
async function recordOutcome(route: MountedBackend, outcome: RequestOutcome, deps: LifecycleDeps): Promise<void> {
  if (!route.backend.recordOutcome) return;
  try {
    await route.backend.recordOutcome(outcome);
  } catch (err) {
    // A refusal the backend named (its store is unavailable) was logged where it was seen, once
    // per episode; anything else is logged here.
    if (err instanceof SealtrailError && err.kind !== 'internal') throw err;
    deps.log.error({ err, path: outcome.request.path }, 'the backend could not record the outcome of a request; refusing it');
    throw internal(err);
  }
}

function relativePath(path: string, route: MountedBackend): string {
  return path.length >= route.prefix.length ? path.slice(route.prefix.length) : '';
}

/** The client's answer to a sealed login: the token only inside what `sealToken` returns. */
function sealedLogin({ sealToken, ...response }: LogicalResponse): LogicalResponse {
  const issued = response.issuedAuth;
  if (!sealToken || !issued) return response;
  return { ...response, data: sealToken(issued.clientToken), issuedAuth: { ...issued, clientToken: '' } };
}

function backendRequest(req: LogicalRequest, route: MountedBackend, path: string, operation: Operation, token?: TokenEntry): BackendRequest {
  return { logical: req, operation, path, data: req.data, mount: route.entry, token };
}

async function mintLoginToken(response: LogicalResponse, route: MountedBackend, req: LogicalRequest, services: CoreServices) {
  const grant = response.auth!;
  const policies = sanitizePolicies(grant.policies, true);
  // Whatever an auth method answers (a role stored before the rule), a login token never holds
  // `response-wrapping` or `root`, as Vault refuses them at login.
  if (policies.includes('root')) throw invalid('auth methods cannot create root tokens', 'root_requires_root_parent');
  const reserved = nonAssignablePolicy(policies);
  if (reserved !== undefined) throw invalid(`cannot assign policy "${reserved}"`, 'policy_not_assignable');
  const displayName = loginDisplayName(route.entry.path, grant.displayName);
  // ttl 0: the token store gives the login mount's default, and holds the token to its max.
  const { id, entry } = await services.tokens.create({ ...grant, displayName, policies, path: req.path, noParent: true });
  // Disabling an auth method unroutes it, then revokes what it issued: a login that raced it may
  // have minted its token after that pass, so a login whose method is gone does not hand one out.
  if (services.mounts.route(req.path) !== route) {
    await services.tokens.revokeOrphan(entry);
    throw notFound(`no handler for route "${req.path}". route entry not found.`, 'no_route');
  }
  await announceSession(entry, route.entry, req, services);
  return {
    ...grant,
    displayName,
    clientToken: id,
    accessor: entry.accessor,
    policies: entry.policies,
    tokenPolicies: entry.policies,
    identityPolicies: [],
    tokenType: entry.type,
    orphan: true,
    leaseDuration: entry.ttl,
    renewable: entry.renewable,
    numUses: entry.numUses,
    entityId: entry.entityId,
    mountType: route.entry.type,
  };
}

/**
 * Vault's display name for a login token: the auth mount's path without `auth/`, its slashes as
 * dashes, then the method's own name, one trailing dash cut (`auth/apm/` + `x` → `apm-x`).
 */
export function loginDisplayName(mountPath: string, methodName: string): string {
  const source = mountPath.replace(/^auth\//, '').replaceAll('/', '-');
  const name = source + methodName;
  return name.endsWith('-') ? name.slice(0, -1) : name;
}

/**
 * Resolves once the entry is recorded; otherwise logs why and rejects with an internal error. The
 * audit broker's own refusals say which case it is (no device recorded it, a required device did
 * not, the devices are closed) and name devices by path only, so the log line repeats them.
 */
function recordOrFail(write: () => Promise<void>, deps: LifecycleDeps, stage: 'request' | 'response'): Promise<void> {
  let written: Promise<void>;
  try {
    written = write();
  } catch (err) {
    written = Promise.reject(err);
  }
  return written.then(undefined, (err: unknown) => {
    const why = err instanceof SealtrailError && err.code === 'audit_not_recorded' ? err.message : `the ${stage} entry could not be recorded`;
    deps.log.error({ stage, code: err instanceof SealtrailError ? err.code : 'audit_failed' }, `audit: ${why}; refusing the request`);
    throw internal(err);
  });
}

/** The error as the edge renders it; an internal one is logged there, with its cause, once (server/errors.ts). */
function asSealtrailError(err: unknown): SealtrailError {
  return err instanceof SealtrailError ? err : internal(err);
}

/**
 * A refusal's `response.data` as Vault's error response carries it: `{"error": <what the client
 * got>}`, hashed like any response string. A server fault (Vault answers it with no response) and
 * an error without a message (its code is the entry's `error`) have none.
 */
function clientErrorData(failure: SealtrailError): Record<string, unknown> | undefined {
  return failure.kind === 'internal' || !failure.message ? undefined : { error: failure.message };
}

function errorText(response: LogicalResponse): string | undefined {
  const errors = response.data?.errors;
  return Array.isArray(errors) ? errors.join(', ') : undefined;
}
