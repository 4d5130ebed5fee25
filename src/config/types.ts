/** The server configuration, after parsing and validation. */
import { dirname, join } from 'node:path';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './request-limits.js';
import { ConfigError } from './config-error.js';
import type { TlsVersion } from './listener-tls.js';
import type { ForwardedForConfig } from './forwarded-for.js';

export interface ListenerConfig extends RequestLimits {
  address: string;
  tlsDisable: boolean;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** Oldest and newest TLS versions served (tls_min_version, tls_max_version; listener-tls.ts). */
  tlsMinVersion: TlsVersion;
  tlsMaxVersion: TlsVersion;
  /** CA certificates a client certificate must chain to (tls_client_ca_file). */
  tlsClientCaFile?: string;
  /** Refuse a connection without a client certificate that verifies (tls_require_and_verify_client_cert). */
  tlsRequireClientCert: boolean;
  /** Whose X-Forwarded-For names the client (forwarded-for.ts); absent: the header is never read. */
  forwardedFor?: ForwardedForConfig;
  /** Request body limit in bytes (Vault's max_request_size); default 32 MiB. */
  maxRequestSize: number;
  /** Time a client has to send the request line and headers (Vault's http_read_header_timeout), ms. */
  httpReadHeaderTimeoutMs: number;
  /** Time a client has to send the whole request, headers and body (Vault's http_read_timeout), ms. */
  httpReadTimeoutMs: number;
  /** Time a connection may sit idle between requests or with no traffic (Vault's http_idle_timeout), ms. */
  httpIdleTimeoutMs: number;
  /** Open connections at most; connections beyond it are closed as they arrive. */
  maxConnections: number;
}

/** `storage "postgresql" { ... }`: OpenBao's settings and defaults (docs/configuration.md). */
export interface PostgresStorageConfig {
  type: 'postgresql';
  /** From `connection_url`, or the SEALTRAIL_PG_CONNECTION_URL environment variable, which wins. Never logged. */
  connectionUrl: string;
  /** Default `sealtrail_kv_store`. */
  table: string;
  /** Pool size (default 128). */
  maxParallel: number;
  /** Several nodes on this database, one active (default false). */
  haEnabled: boolean;
  /** How long the active node's lease lasts without renewal (ms; default 15 s). */
  haLockTtlMs: number;
}

export type StorageConfig = { type: 'sqlite'; path: string } | { type: 'inmem' } | PostgresStorageConfig;

export interface AuditDeviceConfig {
  type: string;
  path: string;
  description: string;
  local: boolean;
  options: Record<string, string>;
}

/** The `journal { }` block: the one correlated record of everything the server witnessed. */
export interface JournalConfig {
  /** False only when the block says `enabled = false`. */
  enabled: boolean;
  /** The database file; default `journal.db` beside the sqlite storage (in memory with inmem). */
  path?: string;
  /** Records whose time is older than this are removed (ms; 0 = kept for ever, the default). */
  retentionMs: number;
  /** A request is answered only if the journal recorded its entries (default true). */
  required: boolean;
  /** Sync every commit to the disk, not only to the WAL: records survive a machine crash (default false). */
  fsync: boolean;
  /**
   * Where the journal, its ledger and the CloudTrail event store live: a SQLite file of this node
   * (default), or a PostgreSQL database the nodes of a cluster share.
   */
  storage: 'sqlite' | 'postgresql';
  /** With postgresql: the database's URL (else the SEALTRAIL_PG_CONNECTION_URL environment variable). Never logged. */
  connectionUrl?: string;
}

/** The `ledger { }` block: the journal's tamper evidence, a signed C2SP tiled transparency log. */
export interface LedgerConfig {
  /** Every journal record a leaf of the log (default true; the journal must be on). */
  enabled: boolean;
  /** The log's name in its checkpoints and key; default `<hostname>/sealtrail`. */
  origin?: string;
  /** A new checkpoint at most this often while records arrive (ms; default 1 s). */
  checkpointIntervalMs: number;
  /** Checkpoints, tiles and proofs are served without a token (the key always is). */
  public: boolean;
}

/** A `trail "<name>" { ... }` block: one CloudTrail trail (the trail module delivers it). */
/** Where a trail's S3 objects go, when they go to S3 (or an S3-compatible store). */
export interface TrailS3Config {
  /** Default: AWS's own endpoint for the region. */
  endpoint?: string;
  /** Default: the server's kms.region. */
  region?: string;
  forcePathStyle: boolean;
  /** Default: the AWS SDK's credential chain (environment, shared files, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
}

/**
 * A `trail "<name>" { ... }` block: one CloudTrail trail (the trail module delivers it), to exactly
 * one destination — a local directory standing in for S3, or an S3 bucket.
 */
export interface TrailConfig {
  name: string;
  /** Local directory standing in for S3: objects go to `<directory>/<bucket>/<key>`. */
  directory?: string;
  /** S3 delivery: objects go to `s3://<bucket>/<key>`. */
  s3?: TrailS3Config;
  bucket: string;
  prefix?: string;
  /** Default 5 minutes. */
  deliveryIntervalMs?: number;
  /** Default 1 hour. */
  digestIntervalMs?: number;
}

export interface ServerConfig {
  listener: ListenerConfig;
  storage: StorageConfig;
  /**
   * Where clients are sent when this node is active (Vault's api_addr): standbys redirect to it.
   * Required with HA; an origin only (scheme, host, port).
   */
  apiAddr?: string;
  /** Auto-unseal: the unseal key is read from this file at start. */
  seal?: { type: 'file'; path: string };
  logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  /** The server log's lines: JSON (default) or Vault's standard text (log_format). */
  logFormat: 'json' | 'standard';
  /** Where the server writes its process id while it runs (pid_file). */
  pidFile?: string;
  clusterName: string;
  /** Seconds. */
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
  /** Enabling audit devices through the API (CVE-2025-6000: off unless asked for). */
  allowApiAuditCreation: boolean;
  /** The `prefix` audit option (CVE-2025-54997: off unless asked for). */
  allowAuditLogPrefixing: boolean;
  /** How long a blocked audit device may hold a request before it counts as failed (ms). */
  auditBlockTimeoutMs: number;
  /**
   * Serve sys/metrics without a token, outside the audited lifecycle (Vault's listener option of
   * the same name), so operators can see failing audit devices while nothing can be audited.
   */
  unauthenticatedMetricsAccess: boolean;
  audit: AuditDeviceConfig[];
  /** The AWS account and region the KMS-compatible API and CloudTrail records name. */
  kms: { accountId: string; region: string };
  trails: TrailConfig[];
  /** How long CloudTrail events are kept for LookupEvents (default 90 days). */
  eventRetentionMs: number;
  journal: JournalConfig;
  ledger: LedgerConfig;
  /** Which blocks the file declared: outside dev mode a server needs both (see startup.ts). */
  declared: { listener: boolean; storage: boolean };
  /** How often expired tokens are removed from storage (default 1h; also once at every unseal). */
  tokenTidyIntervalMs: number;
  /** Serve the console at /ui/; undefined: on in dev mode, off otherwise (see `uiEnabled`). */
  ui?: boolean;
}

export const DEFAULT_MAX_REQUEST_SIZE = 32 * 1024 * 1024;

/** The dev listener's address when neither -dev-listen-address nor the config file names one. */
export const DEV_LISTEN_ADDRESS = '127.0.0.1:8200';

/** Vault's listener defaults; the connection cap keeps idle sockets from using up the descriptor limit. */
export const DEFAULT_LISTENER_LIMITS = {
  httpReadHeaderTimeoutMs: 10_000,
  httpReadTimeoutMs: 30_000,
  httpIdleTimeoutMs: 300_000,
  maxConnections: 4096,
} as const;

/** Vault's built-in default and max lease TTL (768h), also what a configured 0 means. */
export const DEFAULT_LEASE_TTL = 768 * 3600;

export function defaultConfig(): ServerConfig {
  return {
    listener: { address: '127.0.0.1:8200', tlsDisable: true, tlsMinVersion: 'TLSv1.2', tlsMaxVersion: 'TLSv1.3', tlsRequireClientCert: false, maxRequestSize: DEFAULT_MAX_REQUEST_SIZE, ...DEFAULT_LISTENER_LIMITS, ...DEFAULT_REQUEST_LIMITS },
    storage: { type: 'inmem' },
    logLevel: 'info',
    logFormat: 'json',
    clusterName: 'sealtrail-cluster',
    defaultLeaseTtl: DEFAULT_LEASE_TTL,
    maxLeaseTtl: DEFAULT_LEASE_TTL,
    allowApiAuditCreation: false,
    allowAuditLogPrefixing: false,
    auditBlockTimeoutMs: 10_000,
    unauthenticatedMetricsAccess: false,
    audit: [],
    kms: { accountId: '111122223333', region: 'us-east-1' },
    trails: [],
    eventRetentionMs: 90 * 24 * 3600 * 1000,
    journal: { enabled: true, retentionMs: 0, required: true, fsync: false, storage: 'sqlite' },
    ledger: { enabled: true, checkpointIntervalMs: 1000, public: false },
    declared: { listener: false, storage: false },
    tokenTidyIntervalMs: 3600_000,
  };
}

/** Whether the console is served: as configured, else only in dev mode. */
export function uiEnabled(config: Pick<ServerConfig, 'ui'>, dev: boolean): boolean {
  return config.ui ?? dev;
}

/** Where the journal lives: its own path, else `journal.db` beside the sqlite storage, else memory. */
export function journalPath(config: Pick<ServerConfig, 'journal' | 'storage'>): string {
  if (config.journal.path !== undefined) return config.journal.path;
  return config.storage.type === 'sqlite' ? join(dirname(config.storage.path), 'journal.db') : ':memory:';
}

/** The environment variable a PostgreSQL journal's URL is taken from when the journal block has none. */
export const CONNECTION_URL_ENV = 'SEALTRAIL_PG_CONNECTION_URL';

/** The PostgreSQL journal's database URL (never logged: it may hold a password). */
export function journalConnectionUrl(config: ServerConfig, env: NodeJS.ProcessEnv = process.env): string {
  const url = config.journal.connectionUrl ?? (config.storage.type === 'postgresql' ? config.storage.connectionUrl : undefined) ?? env[CONNECTION_URL_ENV];
  if (url === undefined || url === '') throw new ConfigError(`journal.storage = "postgresql" needs journal.connection_url, a storage "postgresql" block or ${CONNECTION_URL_ENV}`);
  return url;
}
