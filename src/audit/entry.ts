/**
 * AuditInput → the Vault audit entry object. Field names and their insertion order follow the Go
 * structs of Vault/OpenBao's `audit/format.go` (AuditRequestEntry, AuditResponseEntry, AuditAuth,
 * AuditRequest, AuditResponse), and empty fields are left out as Go's `omitempty` does ("", 0,
 * false, null, empty map/list). The JSON formatter writes struct fields in insertion order, so the
 * order here IS the wire order.
 *
 * What gets hashed is decided by the EntryHasher the device passes in; this file only knows the
 * shape. The input is never modified: every object below is new, and data maps are either handed
 * to the hasher (which copies) or referenced read-only.
 */
import type { IssuedAuth } from '../core/index.js';
import { rfc3339, rfc3339Nano } from '../lib/time.js';
import { isDeepFrozen } from '../lib/immutable.js';
import { elideListData } from './elide.js';
import type { AuditInput } from './model.js';
import { clientIdOfInput, mountClass, mountRunningVersion, policyResultsBlock } from './vault-fields.js';

export type EntryKind = 'request' | 'response';

export interface VaultAuth {
  client_token?: string;
  accessor?: string;
  display_name?: string;
  policies?: string[];
  token_policies?: string[];
  identity_policies?: string[];
  policy_results?: VaultPolicyResults;
  metadata?: Record<string, string>;
  num_uses?: number;
  remaining_uses?: number;
  entity_id?: string;
  entity_created?: boolean;
  token_type?: string;
  token_ttl?: number;
  token_issue_time?: string;
}

/** `allowed` is written even when false (no omitempty in Vault's struct), as is each policy's `type`. */
export interface VaultPolicyResults {
  allowed: boolean;
  granting_policies?: { name: string; namespace_id: string; type: 'acl' }[];
}

export interface VaultRequest {
  id?: string;
  client_id?: string;
  operation?: string;
  mount_point?: string;
  mount_type?: string;
  mount_accessor?: string;
  mount_running_version?: string;
  mount_class?: string;
  client_token?: string;
  client_token_accessor?: string;
  namespace: { id: string };
  path?: string;
  data?: Record<string, unknown>;
  remote_address?: string;
  remote_port?: number;
  wrap_ttl?: number;
  headers?: Record<string, string[]>;
}

export interface VaultResponse {
  auth?: VaultAuth;
  mount_point?: string;
  mount_type?: string;
  mount_accessor?: string;
  /** Vault's response struct names the running version so; its request struct does not. */
  mount_running_plugin_version?: string;
  mount_class?: string;
  secret?: { lease_id?: string };
  data?: Record<string, unknown>;
  warnings?: string[];
  redirect?: string;
  wrap_info?: { ttl?: number; token?: string; accessor?: string; creation_time?: string; creation_path?: string; wrapped_accessor?: string };
}

export interface VaultEntry {
  time?: string;
  type: EntryKind;
  auth: VaultAuth;
  request: VaultRequest;
  /** Present on response entries only. */
  response?: VaultResponse;
  error?: string;
}

/** How a device turns sensitive values into what it logs (HMAC, or identity for log_raw). */
export interface EntryHasher {
  /** Client tokens and wrapping tokens. */
  token(value: string): string;
  /** Token accessors (left plain with hmac_accessor=false). */
  accessor(value: string): string;
  /** Returns a new map with every string leaf hashed except under `exemptKeys`. */
  data(data: Readonly<Record<string, unknown>>, exemptKeys: readonly string[]): Record<string, unknown>;
  /** Returns new header lists, hashing the values of headers named in `hmacNames`. */
  headers(headers: Readonly<Record<string, readonly string[]>>, hmacNames: ReadonlySet<string>): Record<string, string[]>;
}

export interface EntryOptions {
  elideListResponses: boolean;
  /** Audited request headers (lower-cased names) and which of them are HMAC'd. */
  headers?: { values: Readonly<Record<string, readonly string[]>>; hmac: ReadonlySet<string> };
}

/** Sets `obj[key] = value` unless the value is empty in Go's omitempty sense. */
function put<T extends object, K extends keyof T>(obj: T, key: K, value: T[K] | undefined): void {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return;
  if (Array.isArray(value) && value.length === 0) return;
  if (typeof value === 'object' && !Array.isArray(value) && Object.keys(value as object).length === 0) return;
  obj[key] = value;
}

function callerAuth(input: AuditInput, h: EntryHasher): VaultAuth {
  const t = input.token;
  const auth: VaultAuth = {};
  if (!t) {
    if (input.policyResults) auth.policy_results = policyResultsBlock(input.policyResults);
    auth.token_type = 'default';
    return auth;
  }
  put(auth, 'client_token', input.request.clientToken ? h.token(input.request.clientToken) : undefined);
  put(auth, 'accessor', t.accessor ? h.accessor(t.accessor) : undefined);
  put(auth, 'display_name', t.displayName);
  put(auth, 'policies', [...t.policies]);
  put(auth, 'token_policies', [...t.policies]);
  if (input.policyResults) auth.policy_results = policyResultsBlock(input.policyResults);
  put(auth, 'metadata', { ...t.meta });
  put(auth, 'remaining_uses', input.remainingUses);
  put(auth, 'entity_id', t.entityId);
  auth.token_type = t.type;
  put(auth, 'token_ttl', t.ttl);
  put(auth, 'token_issue_time', t.creationTime ? rfc3339(t.creationTime) : undefined);
  return auth;
}

/**
 * The auth block of a newly issued token (login responses): the response block's `auth`
 * (`inResponse`, with num_uses) or the entry's own (with entity_created, as Vault writes only
 * there). The token is minted while the request is served, so its issue time is the entry's time
 * at second precision.
 */
function issuedAuthBlock(a: IssuedAuth, input: AuditInput, h: EntryHasher, inResponse: boolean): VaultAuth {
  const auth: VaultAuth = {};
  put(auth, 'client_token', a.clientToken ? h.token(a.clientToken) : undefined);
  put(auth, 'accessor', a.accessor ? h.accessor(a.accessor) : undefined);
  put(auth, 'display_name', a.displayName);
  put(auth, 'policies', [...a.policies]);
  put(auth, 'token_policies', [...a.tokenPolicies]);
  put(auth, 'identity_policies', [...a.identityPolicies]);
  put(auth, 'metadata', { ...a.metadata });
  if (inResponse) put(auth, 'num_uses', a.numUses);
  put(auth, 'entity_id', a.entityId);
  if (!inResponse) put(auth, 'entity_created', a.entityCreated);
  auth.token_type = a.tokenType;
  put(auth, 'token_ttl', a.leaseDuration);
  auth.token_issue_time = rfc3339(Number(input.timeNs / 1_000_000n));
  return auth;
}

/** The entry's mount_point (also a filter field). */
export function mountPoint(input: AuditInput): string | undefined {
  const m = input.mount;
  if (!m) return undefined;
  // Vault's mount_point carries the table root for auth mounts: `auth/userpass/`.
  return m.table === 'auth' && !m.path.startsWith('auth/') ? `auth/${m.path}` : m.path;
}

/** The entry's `request` block. */
export function requestBlock(input: AuditInput, h: EntryHasher, opts: EntryOptions): VaultRequest {
  const r = input.request;
  const req = {} as VaultRequest;
  put(req, 'id', r.id);
  put(req, 'client_id', clientIdOfInput(input));
  put(req, 'operation', input.operation);
  put(req, 'mount_point', mountPoint(input));
  put(req, 'mount_type', input.mount?.type);
  put(req, 'mount_accessor', input.mount?.accessor);
  put(req, 'mount_running_version', mountRunningVersion(input.mount));
  put(req, 'mount_class', mountClass(input.mount));
  put(req, 'client_token', r.clientToken ? h.token(r.clientToken) : undefined);
  put(req, 'client_token_accessor', input.token?.accessor ? h.accessor(input.token.accessor) : undefined);
  req.namespace = { id: 'root' };
  put(req, 'path', r.path);
  if (r.data && Object.keys(r.data).length > 0) {
    req.data = h.data(r.data, input.mount?.config.auditNonHmacRequestKeys ?? []);
  }
  put(req, 'remote_address', r.remoteAddress);
  put(req, 'remote_port', r.remotePort);
  put(req, 'wrap_ttl', r.wrapTtl);
  if (opts.headers && Object.keys(opts.headers.values).length > 0) {
    req.headers = h.headers(opts.headers.values, opts.headers.hmac);
  }
  return req;
}

/** The response entry's `response` block. */
export function responseBlock(input: AuditInput, h: EntryHasher, opts: EntryOptions): VaultResponse {
  const resp = input.response;
  const out: VaultResponse = {};
  const issued = input.issuedAuth ?? resp?.issuedAuth;
  if (issued) out.auth = issuedAuthBlock(issued, input, h, true);
  put(out, 'mount_point', mountPoint(input));
  put(out, 'mount_type', input.mount?.type);
  put(out, 'mount_accessor', input.mount?.accessor);
  put(out, 'mount_running_plugin_version', mountRunningVersion(input.mount));
  put(out, 'mount_class', mountClass(input.mount));
  if (resp?.secret) {
    out.secret = {};
    put(out.secret, 'lease_id', resp.secret.leaseId);
  }
  let data = resp?.auditData ?? resp?.data;
  if (data && Object.keys(data).length > 0) {
    if (opts.elideListResponses && input.operation === 'list') data = elideListData(data);
    out.data = h.data(data, input.mount?.config.auditNonHmacResponseKeys ?? []);
  }
  put(out, 'warnings', resp?.warnings ? [...resp.warnings] : undefined);
  put(out, 'redirect', resp?.redirect);
  if (resp?.wrapInfo) {
    const w = resp.wrapInfo;
    const wi: NonNullable<VaultResponse['wrap_info']> = {};
    put(wi, 'ttl', w.ttl);
    put(wi, 'token', w.token ? h.token(w.token) : undefined);
    put(wi, 'accessor', w.accessor ? h.accessor(w.accessor) : undefined);
    put(wi, 'creation_time', w.creationTime);
    put(wi, 'creation_path', w.creationPath);
    put(wi, 'wrapped_accessor', w.wrappedAccessor ? h.accessor(w.wrappedAccessor) : undefined);
    out.wrap_info = wi;
  }
  return out;
}

/**
 * The response data whose `response` block depends on nothing but it and the mount: a deeply
 * frozen data map (a cached KV version, lib/immutable.ts) in a response with none of the other
 * fields responseBlock reads. Such a block is the same for every response that carries the same
 * map through the same mount, so a device can keep its text. Keep in step with responseBlock.
 */
export function reusableResponseDataOf(input: AuditInput): object | undefined {
  const resp = input.response;
  if (!resp || input.issuedAuth || resp.issuedAuth || resp.secret || resp.wrapInfo || resp.redirect || resp.warnings?.length || resp.auditData) return undefined;
  return resp.data && isDeepFrozen(resp.data) ? resp.data : undefined;
}

/**
 * True when the entry's `auth` block is the caller's token, which is then identical in the request
 * and response entries of one request (a login's response uses the new token instead).
 */
function usesCallerAuth(input: AuditInput, kind: EntryKind): boolean {
  return !(kind === 'response' && !input.token && (input.issuedAuth ?? input.response?.issuedAuth));
}

/**
 * The token entry whose `auth` block this entry carries, when that block depends on nothing else:
 * the caller's cached (frozen) token, not counting down uses. Such a block is the same in every
 * entry the token causes, so a device can keep its text.
 */
export function reusableAuthOf(input: AuditInput, kind: EntryKind): object | undefined {
  const t = input.token;
  return t && isDeepFrozen(t) && input.remainingUses === undefined && usesCallerAuth(input, kind) ? t : undefined;
}

/** The entry's `auth` block. */
export function authBlock(input: AuditInput, kind: EntryKind, h: EntryHasher): VaultAuth {
  // Vault audits a login's response with the new token as the caller's auth.
  return usesCallerAuth(input, kind) ? callerAuth(input, h) : issuedAuthBlock((input.issuedAuth ?? input.response?.issuedAuth)!, input, h, false);
}

/** Builds the Vault entry of `kind` for one device (its hasher and options). */
export function buildEntry(input: AuditInput, kind: EntryKind, h: EntryHasher, opts: EntryOptions): VaultEntry {
  const entry = { time: rfc3339Nano(input.timeNs), type: kind } as VaultEntry;
  entry.auth = authBlock(input, kind, h);
  entry.request = requestBlock(input, h, opts);
  if (kind === 'response') entry.response = responseBlock(input, h, opts);
  put(entry, 'error', input.error);
  return entry;
}
