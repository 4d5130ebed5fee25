/**
 * The core's internal model: the logical request every HTTP call becomes, the response a handler
 * returns, mounts, tokens and the backend contract. camelCase and strict; wire formats (Vault JSON,
 * audit entries, CloudTrail) are produced from these by their own formatters.
 */
import type { JournalWriter } from '../../journal/index.js';
import type { SealtrailError } from '../../errors/index.js';
import type { Clock } from '../../lib/clock.js';
import type { Storage } from '../../storage/index.js';

export type Operation = 'create' | 'read' | 'update' | 'patch' | 'delete' | 'list' | 'help';

/** What the TLS handshake of a request's connection settled on. */
export interface ConnectionTls {
  /** `TLSv1.3` */
  readonly version: string;
  /** The OpenSSL name of the suite: `TLS_AES_256_GCM_SHA384`. */
  readonly cipherSuite: string;
}

export interface LogicalRequest {
  /** uuid v4, shared by the request and response audit entries. */
  readonly id: string;
  operation: Operation;
  /** Full path below /v1/, no leading slash: `secret/data/app`. */
  readonly path: string;
  /** JSON body (or query parameters for GET/LIST), never mutated after creation. */
  readonly data: Record<string, unknown>;
  /** The raw client token as presented ("" when none). Only ever hashed in audit output. */
  readonly clientToken: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
  /** Lower-cased header name → values. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  /** Response-wrapping TTL requested by X-Vault-Wrap-TTL, in seconds (0 = none). */
  readonly wrapTtl: number;
  /** The HTTP method as the client sent it (`POST`, `LIST`...); absent for internal requests. */
  readonly method?: string;
  /** The connection's TLS protocol and cipher suite; absent over plain HTTP and for internal requests. */
  readonly tls?: ConnectionTls;
  /** Set by the lifecycle once routed: the type of the mount serving the request. */
  mountType?: string;
  /**
   * Set by the edge when it could not accept the request's input (body too large, too deep, not
   * JSON); `data` is then empty. The core refuses the request with it once the token is known,
   * audited like any refusal.
   */
  readonly inputError?: SealtrailError;
  /**
   * Set by the HTTP edge: calls `done` once the answer has been sent in full or its connection is
   * gone (at once, if that has happened). For what a handler holds until its client has taken the
   * answer (sys/journal-read-slots.ts); absent for internal requests, whose answer is the value.
   */
  readonly whenAnswered?: (done: () => void) => void;
}

/** What an auth method says a renewal of its token may have: the TTL its login would grant now (0 = the mount default). */
export interface RenewalGrant {
  ttl: number;
}

/** A login result a backend returns; the core mints the token from it. */
export interface AuthGrant {
  policies: string[];
  displayName: string;
  metadata: Record<string, string>;
  entityId?: string;
  /** True when this login created the entity (a first login): Vault's `auth.entity_created`. */
  entityCreated?: boolean;
  /** Seconds; 0 = the mount's default. */
  ttl: number;
  explicitMaxTtl?: number;
  numUses?: number;
  renewable?: boolean;
}

/** The token fields a login response carries back to the client (filled in by the core). */
export interface IssuedAuth extends AuthGrant {
  clientToken: string;
  accessor: string;
  tokenPolicies: string[];
  identityPolicies: string[];
  tokenType: 'service' | 'batch';
  orphan: boolean;
  /** Seconds. */
  leaseDuration: number;
  mountType?: string;
}

export interface LogicalResponse {
  data?: Record<string, unknown>;
  /**
   * What the response entries record as `response.data` instead of `data`: a bounded summary of an
   * answer made of records the audit trail already holds (the journal's queries). Embedding them
   * would make each entry carry every earlier query's entry it returned, doubling with each
   * query. Or `data` with the values Vault's audit sees typed (a time as a Date). The client still
   * gets `data`; this is never rendered to it.
   */
  auditData?: Record<string, unknown>;
  /** For login paths: what the new token should be. */
  auth?: AuthGrant;
  /** Set by the core once the token is minted (what the client and the audit see). */
  issuedAuth?: IssuedAuth;
  /**
   * A token the handler minted itself (auth/token/create): the core announces it to the engines
   * that keep a control log before the client has it, as it announces a login's token
   * (sessions.ts). Never rendered, audited or wrapped.
   */
  startsSession?: TokenEntry;
  /**
   * A login whose token only the workload may read: the core mints the token and records it in
   * the response entry as any other, and the client gets `client_token` empty and the data this
   * returns for the token instead (an envelope for the workload's key).
   */
  sealToken?: (clientToken: string) => Record<string, unknown>;
  secret?: { leaseId: string; ttl: number; renewable: boolean };
  warnings?: string[];
  redirect?: string;
  /** `wrappedAccessor`: the accessor of the token the wrapped response issued, if it issued one (Vault's). */
  wrapInfo?: { token: string; accessor: string; ttl: number; creationTime: string; creationPath: string; wrappedAccessor?: string };
  /** HTTP status override (e.g. 200 for health variants); default 200 with data, 204 without. */
  httpStatus?: number;
  /**
   * A response that is not Vault's envelope (sys/health, sys/metrics text, sys/seal-status, the
   * ledger's tiles). `body` is sent as is (objects as JSON, bytes as bytes), with `headers` if set
   * (caching); `data` still feeds the audit entry if set.
   */
  raw?: { contentType: string; body: string | Buffer | Record<string, unknown>; headers?: Readonly<Record<string, string>> };
  /**
   * What the handler learned for the mount's own record (`Backend.recordOutcome`), e.g. the keys
   * a KMS call touched. Never rendered to the client, written to an audit entry or wrapped.
   */
  outcomeFacts?: OutcomeFacts;
  /**
   * Runs once the response entry and the mount's record are written, before the client is
   * answered: for an action that takes away what records the request (sys/seal closes the audit
   * devices and the journal). Never rendered, audited or wrapped; if it fails the client gets 500.
   */
  afterRecorded?: () => Promise<void>;
}

/** A handler's facts for its mount's own record; a failed call's ride on its SealtrailError. */
export type OutcomeFacts = Readonly<Record<string, unknown>>;

export interface MountConfig {
  /** Seconds; 0 = system default. */
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  auditNonHmacRequestKeys: string[];
  auditNonHmacResponseKeys: string[];
  listingVisibility: string;
  passthroughRequestHeaders: string[];
  /** Kept and shown as Vault does; no built-in engine sets a response header. Absent in mount tables stored before it. */
  allowedResponseHeaders?: string[];
}

export type MountTable = 'secret' | 'auth';

export interface MountEntry {
  table: MountTable;
  /** Path with trailing slash, relative to its table's root: `secret/`, `auth/apm/`, `sys/`. */
  path: string;
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  config: MountConfig;
  options: Record<string, string>;
  local: boolean;
  sealWrap: boolean;
  /** Mounts the core creates and users may not disable (sys/, auth/token/, cubbyhole...). */
  builtin?: boolean;
}

export type TokenType = 'service' | 'batch';

/** A token as stored. The token id itself is never stored: only its keyed hash. */
export interface TokenEntry {
  /** Keyed hash of the token id (hex); the storage key. */
  idHash: string;
  accessor: string;
  parentAccessor?: string;
  policies: string[];
  path: string;
  meta: Record<string, string>;
  displayName: string;
  /** 0 = unlimited; otherwise uses left. */
  numUses: number;
  /** ms since epoch. */
  creationTime: number;
  /** Seconds; 0 = never expires (root). */
  ttl: number;
  explicitMaxTtl: number;
  period: number;
  renewable: boolean;
  /** ms since epoch of the current expiry; 0 = none. */
  expireTime: number;
  /** ms since epoch of the last renewal; absent until the token is renewed. */
  lastRenewalTime?: number;
  entityId: string;
  type: TokenType;
  orphan: boolean;
}

/** What a backend handler gets: the request relative to its mount, plus its scoped dependencies. */
export interface BackendRequest {
  readonly logical: LogicalRequest;
  readonly operation: Operation;
  /** Path relative to the mount: for `secret/data/app` on mount `secret/`, `data/app`. */
  readonly path: string;
  readonly data: Record<string, unknown>;
  readonly mount: MountEntry;
  /** The caller's token entry (undefined on unauthenticated paths). */
  readonly token?: TokenEntry;
}

export interface BackendContext {
  mount: MountEntry;
  /** Encrypted storage scoped to this mount. */
  storage: Storage;
  clock: Clock;
  /**
   * The journal, for records a backend makes besides the audit entries (capsule log records,
   * attestations): appended while the request is handled, so a failure fails the request.
   */
  journal?: JournalWriter;
}

export interface Backend {
  handleRequest(req: BackendRequest): Promise<LogicalResponse | undefined>;
  /**
   * For POST/PUT: does the target already exist? Decides between the `create` and `update`
   * capabilities, as Vault's existence check does. Absent = always `update`.
   */
  existenceCheck?(req: BackendRequest): Promise<boolean>;
  /** Relative path globs (`*` suffix) that need no token, e.g. login endpoints. */
  readonly unauthenticatedPaths?: readonly string[];
  /** Relative path globs that also need the `sudo` capability (Vault's root-protected paths). */
  readonly rootPaths?: readonly string[];
  /**
   * The parameters the handler of a relative path splits on commas, each element a value of its
   * own, or undefined when the path does not say. A path that says has each parameter judged by
   * the ACL as it is used (auth/policy/parameters.ts): these element by element, every other one
   * whole. One that does not keeps Vault's rule, which admits a value that is allowed whole even
   * when its elements are not.
   */
  listParameters?(path: string): readonly string[] | undefined;
  /**
   * An auth method's word on renewing a token it issued (Vault's auth renew callback), asked
   * before every renewal: a rejection refuses it, so a login whose grounds were taken away (its
   * role deleted or narrowed) cannot be kept alive. Absent: the token renews as issued.
   */
  authorizeRenewal?(token: TokenEntry): Promise<RenewalGrant | void>;
  /** Called after the mount's config was tuned (e.g. to record it in an engine's own log). */
  onTune?(event: { session: string | null; url: string; method: string; config: Record<string, unknown> }): Promise<void>;
  /**
   * The backend's own record of a request it was routed (the CloudTrail event of a KMS or
   * CloudTrail call), written by the lifecycle after the audit entries: on success, on a handler
   * error, and on a refusal of a known token (ACL, uses). A rejection fails the request like an
   * unrecorded audit entry does (500), so a call is never answered without its record.
   */
  recordOutcome?(outcome: RequestOutcome): Promise<void>;
  /**
   * Called when a login mints a token, before the client has it (an engine with its own control
   * log records the session start). A rejection fails the login and revokes the token.
   */
  onSessionStart?(event: SessionStart): Promise<void>;
  /**
   * Called after an ACL policy was written or deleted (an engine with its own control log records
   * the changes that alter what tokens may do on its mount). A rejection fails the request.
   */
  onPolicyChange?(event: PolicyChange): Promise<void>;
  /** Called when the backend is unmounted or the server seals. */
  cleanup?(): Promise<void>;
}

/** A login's new token, as a secrets engine is told of it. */
export interface SessionStart {
  readonly token: TokenEntry;
  /** The auth mount that issued it: `auth/apm/`. */
  readonly issuer: string;
  /** The login request: `/v1/auth/apm/v0/attest/nitro/auth`, and its HTTP method. */
  readonly url: string;
  readonly method: string;
  /** The login request's id (records the engine makes for it join its audit entries). */
  readonly requestId: string;
  /** Whether the token's policies grant anything (not deny) on a path relative to this mount. */
  may(relativePath: string): boolean;
}

/** An ACL policy change, as a secrets engine is told of it. */
export interface PolicyChange {
  readonly name: string;
  readonly change: 'created' | 'updated' | 'deleted';
  /** The accessor of the token that made the change (null: none). */
  readonly session: string | null;
  readonly url: string;
  readonly method: string;
  /** Whether the policy granted (before) or grants (after) anything, not deny, on a path relative to this mount. */
  mayBefore(relativePath: string): boolean;
  mayAfter(relativePath: string): boolean;
}

/** What `Backend.recordOutcome` is told: the request, who made it, and how it ended. */
export interface RequestOutcome {
  readonly request: LogicalRequest;
  /** Path relative to the mount. */
  readonly path: string;
  readonly token: TokenEntry;
  readonly response?: LogicalResponse;
  readonly error?: SealtrailError;
  /** The handler's `outcomeFacts`, from its response or its error (absent for refusals). */
  readonly facts?: OutcomeFacts;
}

export type BackendFactory = (ctx: BackendContext) => Promise<Backend> | Backend;
