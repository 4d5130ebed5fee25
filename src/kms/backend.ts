/**
 * The `kms/` mount: the Vault-side API of the KMS.
 *
 *   kms/users/                 LIST          user names
 *   kms/users/<name>           POST/GET/DEL  create (key pair + linked token) or update policies; read; delete
 *   kms/users/<name>/rotate    POST          a new key pair; the old one is revoked
 *   kms/aws/<Operation>        POST          one KMS operation: AWS JSON body in `data`, AWS response out
 *
 * The AWS edge turns each signed `TrentService.<Op>` call into a `kms/aws/<Op>` logical request
 * with the user's linked token, so it passes the same lifecycle (ACL, audit) as any Vault call,
 * and each call to a known operation, through either door, becomes one CloudTrail event
 * (`recordOutcome`). User management is root-protected (sudo).
 */
import { createHash } from 'node:crypto';
import type { PolicyStore, TokenStore } from '../auth/index.js';
import { type CertificateCache, createCertificateCache } from '../attestation/index.js';
import {
  backendFromPaths, nonAssignablePolicy, sanitizePolicies, type Backend, type BackendContext, type LogicalRequest, type LogicalResponse, type PathRequest,
  type TokenEntry,
} from '../core/index.js';
import { SealtrailError, internal, invalid, permissionDenied } from '../errors/index.js';
import { memberTypeProblem, operationInput } from '../lib/aws-members.js';
import { apiCallRecorder, serviceEvent, type TrailRecorder, type TrailUserIdentity } from '../trail/index.js';
import { accountRootArn, keyArn, userArn, type KmsLocation } from './arn.js';
import { withAuditSafeText } from './audit-text.js';
import { newMaterial } from './crypto/aead.js';
import { kmsError } from './errors.js';
import { createKeyStore } from './keys/store.js';
import type { KmsServices } from './operations/context.js';
import { checkGrantTokens } from './operations/input.js';
import { purgeDueKeys, rotateDueKeys } from './operations/key-access.js';
import { kmsOperation } from './operations/registry.js';
import type { KmsUserRecord } from './users/model.js';
import { createUserStore, type UserStore } from './users/store.js';
import { commaParts, MAX_LIST_ITEMS } from '../lib/comma-list.js';

const KMS_EVENT_SOURCE = 'kms.amazonaws.com';

export interface KmsDeps extends KmsLocation {
  tokens: TokenStore;
  /** The ACL of a request that names a user in another case than its own (`storedUser`). */
  policies: Pick<PolicyStore, 'acl'>;
  /** PEM trust roots for Recipient documents besides the AWS Nitro root (dev mode: the dev CA). */
  trustedRoots: () => readonly string[];
  certificateCache?: CertificateCache;
  /** Where each call's CloudTrail event goes. */
  recorder: TrailRecorder;
}

export interface KmsEngine {
  backend: Backend;
  /** The SigV4 access-key lookup for the AWS edge. */
  users: UserStore;
  location: KmsLocation;
  /** The caller as CloudTrail shows it: its KMS user, the account root, or its token. */
  identify(token: TokenEntry): Promise<TrailUserIdentity>;
  /** Deletes the keys whose deletion date has passed (run at unseal and periodically); returns how many. */
  purgeDueKeys(signal?: AbortSignal): Promise<number>;
  /** Rotates the enabled keys whose rotation period has passed (run with the deletion sweep); returns how many. */
  rotateDueKeys(signal?: AbortSignal): Promise<number>;
}

/**
 * The principal id of a token that is no KMS user's: `tok-` and 24 hex digits of the SHA-256 of its
 * accessor. Stable for the token's life, as an IAM user's id is, and never the accessor itself:
 * CloudTrail events and their delivered files go to whoever may read the trail, and an accessor
 * there would let anyone holding `auth/token/*-accessor` rights look up, renew or revoke the token
 * (audit devices HMAC accessors for the same reason). The accessor is random, so the digest cannot
 * be turned back into it; whoever already knows it can find the token's events.
 */
export function tokenPrincipalId(accessor: string): string {
  return `tok-${createHash('sha256').update(accessor, 'utf8').digest('hex').slice(0, 24)}`;
}

/**
 * The caller's principal: the KMS user whose linked token it is (`UserStore.userOfToken`), the
 * account root for root tokens, else a principal named by the token's principal id.
 */
export function principalOf(user: KmsUserRecord | undefined, token: TokenEntry | undefined, accountId: string): string {
  if (user) return userArn(accountId, user.name);
  if (token?.policies.includes('root')) return accountRootArn(accountId);
  return `arn:aws:iam::${accountId}:user/sealtrail-token/${token ? tokenPrincipalId(token.accessor) : 'anonymous'}`;
}

/**
 * The global condition keys IAM puts in every request's context, where this server knows them.
 * Without them a Deny on aws:SecureTransport or aws:SourceIp would never apply (an absent key makes
 * a positive operator false). aws:username exists for users only, as in IAM; aws:userid is the
 * caller's unique id (a user's principal id, the account for root, else the token's accessor).
 * No AWS service ever calls on a caller's behalf here, so every call is direct.
 */
export function requestConditions(
  req: Pick<LogicalRequest, 'remoteAddress' | 'tls'>, caller: { principalArn: string; userId: string; userName?: string }, location: KmsLocation,
): Record<string, string> {
  return {
    'aws:sourceip': req.remoteAddress.startsWith('::ffff:') ? req.remoteAddress.slice('::ffff:'.length) : req.remoteAddress,
    'aws:securetransport': req.tls ? 'true' : 'false',
    'aws:principalaccount': location.accountId,
    'aws:principaltype': caller.principalArn === accountRootArn(location.accountId) ? 'Account' : 'User',
    'aws:userid': caller.userId,
    'aws:requestedregion': location.region,
    'aws:viaawsservice': 'false',
    'aws:principalisawsservice': 'false',
    ...(caller.userName !== undefined ? { 'aws:username': caller.userName } : {}),
  };
}

/** aws:userid, and CloudTrail's userIdentity.principalId: the same unique id of the caller. */
function uniqueIdOf(user: KmsUserRecord | undefined, token: TokenEntry | undefined, accountId: string): string {
  if (user) return user.principalId;
  if (token?.policies.includes('root')) return accountId;
  return token ? tokenPrincipalId(token.accessor) : 'anonymous';
}

function policiesOf(data: Record<string, unknown>): string[] {
  const raw = data.policies;
  if (raw === undefined) return [];
  const items = typeof raw === 'string' ? commaParts(raw) : Array.isArray(raw) && raw.every((p) => typeof p === 'string') ? raw as string[] : null;
  if (items === null) throw invalid('policies must be a list of policy names or a comma-separated string');
  if (items === undefined || items.length > MAX_LIST_ITEMS) throw invalid(`policies holds more than ${MAX_LIST_ITEMS} names`);
  return typeof raw === 'string' ? items.map((p) => p.trim()).filter(Boolean) : items;
}

const holdsRoot = (policies: readonly string[]) => sanitizePolicies(policies, false).includes('root');

/**
 * What a caller may give a KMS user's linked token, as token creation and logins rule it: `root`
 * only from a root token (a token with sudo on kms/users/* but not root would otherwise make a
 * principal that acts as root on kms/aws/* and trail/aws/*), and never `response-wrapping`.
 */
function checkAssignable(policies: readonly string[], caller: TokenEntry | undefined): void {
  const reserved = nonAssignablePolicy(sanitizePolicies(policies, false));
  if (reserved !== undefined) throw invalid(`cannot assign policy "${reserved}"`, 'policy_not_assignable');
  if (holdsRoot(policies) && !holdsRoot(caller?.policies ?? [])) {
    throw invalid('a KMS user may hold the root policy only when a root token names it', 'root_requires_root_parent');
  }
}

const userView = (user: KmsUserRecord, accountId: string) => ({
  user_name: user.name,
  arn: userArn(accountId, user.name),
  access_key_id: user.accessKeyId,
  policies: user.policies,
  principal_id: user.principalId,
  creation_time: new Date(user.createdAt).toISOString(),
});

export function createKmsEngine(ctx: Pick<BackendContext, 'storage' | 'clock'>, deps: KmsDeps): KmsEngine {
  const location: KmsLocation = { accountId: deps.accountId, region: deps.region };
  const users = createUserStore({ storage: ctx.storage, tokens: deps.tokens, clock: ctx.clock, accountId: deps.accountId });
  const eventDeps = { clock: ctx.clock, accountId: deps.accountId, region: deps.region, eventSource: KMS_EVENT_SOURCE };
  const services: KmsServices = {
    keys: createKeyStore(ctx.storage),
    location,
    clock: ctx.clock,
    recipient: { trustedRoots: deps.trustedRoots, clock: ctx.clock, cache: deps.certificateCache ?? createCertificateCache() },
    users,
    keyDeleted: (keyId) => deps.recorder.record(serviceEvent(eventDeps, 'DeleteKey', keyArn(location, keyId))),
    keyRotated: (keyId, details) => deps.recorder.record(serviceEvent(eventDeps, 'RotateKey', keyArn(location, keyId), details)),
  };

  async function identify(token: TokenEntry): Promise<TrailUserIdentity> {
    const user = await users.userOfToken(token);
    const arn = principalOf(user, token, deps.accountId);
    const principalId = uniqueIdOf(user, token, deps.accountId);
    if (user) return { type: 'IAMUser', principalId, arn, accountId: deps.accountId, accessKeyId: user.accessKeyId, userName: user.name };
    if (token.policies.includes('root')) return { type: 'Root', principalId, arn, accountId: deps.accountId, accessKeyId: '', userName: '' };
    return { type: 'IAMUser', principalId, arn, accountId: deps.accountId, accessKeyId: '', userName: arn.slice(arn.indexOf(':user/') + 6) };
  }

  /**
   * The user a `users/<name>` path names, found whatever the case of the name. The ACL judged the
   * path as sent, so a name spelled otherwise than the user's (`APP` for `app`) is also checked, with
   * the sudo these paths need, on the path of the user's own name: else a deny on `kms/users/app*`
   * would not stop `kms/users/APP/rotate` handing out app's new secret key.
   */
  async function storedUser(req: PathRequest): Promise<KmsUserRecord | undefined> {
    const asked = req.params.name;
    const user = await users.find(asked);
    if (!user || user.name === asked || !req.token) return user;
    const mountPrefix = req.logical.path.slice(0, req.logical.path.length - req.path.length);
    const path = mountPrefix + req.path.replace(`users/${asked}`, `users/${user.name}`);
    const decision = (await deps.policies.acl(req.token.policies)).check(path, req.operation, { data: req.data, wrapTtl: req.logical.wrapTtl });
    if (!decision.allowed || !decision.sudo) throw permissionDenied();
    return user;
  }

  const withSecret = (user: KmsUserRecord): LogicalResponse => ({
    data: { ...userView(user, deps.accountId), secret_access_key: user.secretAccessKey },
  });

  const backend = backendFromPaths([
    { pattern: 'users/?', handlers: { list: async () => ({ data: { keys: await users.list() } }) } },
    {
      pattern: 'users/(?<name>[^/]+)/rotate',
      handlers: {
        update: async (req) => {
          const user = await storedUser(req);
          // The new secret key makes the caller that user: one that holds root is a root token's to rotate.
          if (user && holdsRoot(user.policies) && !holdsRoot(req.token?.policies ?? [])) throw permissionDenied();
          return withSecret(await users.rotate(req.params.name));
        },
      },
    },
    {
      pattern: 'users/(?<name>[^/]+)',
      fields: ['policies'],
      existenceCheck: async (req) => (await users.find(req.params.name)) !== undefined,
      handlers: {
        update: async (req) => {
          const policies = policiesOf(req.data);
          checkAssignable(policies, req.token);
          const { user, created } = await users.upsert(req.params.name, policies);
          // The secret is shown once, when the key pair is made (create and rotate).
          return created ? withSecret(user) : { data: userView(user, deps.accountId) };
        },
        read: async (req) => {
          const user = await storedUser(req);
          return user ? { data: userView(user, deps.accountId) } : undefined;
        },
        delete: async (req) => {
          await storedUser(req);
          await users.remove(req.params.name);
          return undefined;
        },
      },
    },
    {
      pattern: 'aws/(?<op>[A-Za-z]+)',
      handlers: {
        update: async (req) => {
          const spec = kmsOperation(req.params.op);
          if (!spec) throw kmsError('UnknownOperationException', `Unknown operation ${req.params.op}`);
          const user = req.token && (await users.userOfToken(req.token));
          const principalArn = principalOf(user, req.token, deps.accountId);
          const principalId = uniqueIdOf(user, req.token, deps.accountId);
          const call = {
            body: operationInput(req.data, spec.members), principalArn, principalId, notes: { resources: [] },
            requestConditions: requestConditions(req.logical, { principalArn, userId: principalId, userName: user?.name }, location),
            requestAliases: new Map(),
          };
          // The notes travel with the result or the error to the call's CloudTrail event (recordOutcome).
          try {
            const mistyped = memberTypeProblem(call.body, spec.members);
            if (mistyped) throw kmsError('SerializationException', mistyped);
            checkGrantTokens(call.body);
            // Before the call acts: refused while its CloudTrail event could not be kept (recorder.ts).
            deps.recorder.admit();
            // Every key policy sees the key's aliases (kms:ResourceAliases): loaded before the first call.
            await services.keys.aliasesLoaded();
            return { data: await spec.handler(call, services), outcomeFacts: call.notes };
          } catch (err) {
            const failure = withAuditSafeText(err, call.body, req.token ? [req.token.accessor] : []);
            throw (failure instanceof SealtrailError ? failure : internal(failure)).withOutcomeFacts(call.notes);
          }
        },
      },
    },
  ], {
    rootPaths: ['users', 'users/*'],
    cleanup: async () => users.clearCache(),
    recordOutcome: apiCallRecorder({
      recorder: deps.recorder, clock: ctx.clock, accountId: deps.accountId, region: deps.region,
      eventSource: KMS_EVENT_SOURCE, actionPrefix: 'kms', internalType: 'KMSInternalException',
      operation: kmsOperation, identify,
    }),
  });
  return {
    backend, users, location, identify,
    purgeDueKeys: (signal) => purgeDueKeys(services, signal),
    rotateDueKeys: (signal) => rotateDueKeys(services, newMaterial, signal),
  };
}
