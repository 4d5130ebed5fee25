/**
 * Loads the server configuration from HCL (what Vault users write) or JSON. HCL is parsed by
 * HashiCorp's own hcl2json (compiled to WebAssembly), in a worker thread within a deadline
 * (lib/hcl-parser.ts). Unknown or invalid keys are errors that name
 * the key and the block, so a typo never silently falls back to a default.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { ConfigError, type ConfigProblem } from './config-error.js';
import { HclParseError, parseHcl } from '../lib/hcl-parser.js';
import { duplicateJsonKey } from '../lib/json-duplicate-key.js';
import { jsonSyntaxFault } from '../lib/json-fault.js';
import { MAX_DURATION_SECONDS, parseDurationMs, parseDurationSeconds } from '../lib/time.js';
import { REQUEST_LIMIT_KEYS, parseRequestLimits } from './request-limits.js';
import { LISTENER_TLS_KEYS, readListenerTls } from './listener-tls.js';
import { FORWARDED_FOR_KEYS, readForwardedFor } from './forwarded-for.js';
import { DEFAULT_LEASE_TTL, defaultConfig, type AuditDeviceConfig, type ServerConfig } from './types.js';
import { setOwn } from '../lib/safe-object.js';
import { trailBlocks } from './trail-config.js';
import { apiAddress, postgresStorage } from './storage-config.js';
import { allowKeys, asList, asObj, bool, isObj, str, wholeNumber, type Obj } from './values.js';

export { ConfigError, type ConfigProblem } from './config-error.js';

/** The largest configuration file read (as `operator diagnose` reads it). */
export const MAX_CONFIG_FILE_BYTES = 1024 * 1024;

/**
 * The file's text: a regular file of at most MAX_CONFIG_FILE_BYTES. Opened without blocking, so
 * that a FIFO (or a device such as /dev/zero) at the path is refused at once instead of holding
 * the start or a reload — and every reload queued behind it — forever, or growing without bound.
 * A file any user may write is refused too: whoever edits it chooses the audit devices, the listener
 * and the storage. A refusal is a ConfigError; a failure of the file system (ENOENT, EACCES, ...) is
 * thrown as it is.
 * The start, SIGHUP and `operator diagnose` all read the file through this.
 */
export async function readConfigText(path: string): Promise<string> {
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new ConfigError(`config file ${path} is not a regular file`);
    if (process.platform !== 'win32' && (stat.mode & 0o002) !== 0) {
      const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
      throw new ConfigError(`config file ${path} is writable by any user (mode ${mode}); run: chmod o-w ${path}`);
    }
    if (stat.size > MAX_CONFIG_FILE_BYTES) throw new ConfigError(`config file ${path} is larger than ${MAX_CONFIG_FILE_BYTES} bytes`);
    // One byte more than its size: a file that grows while it is read is refused, not cut short.
    const buffer = Buffer.alloc(stat.size + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > stat.size) throw new ConfigError(`config file ${path} changed while it was read; try again`);
    return buffer.toString('utf8', 0, length);
  } finally {
    await handle.close();
  }
}

export async function loadConfigFile(path: string): Promise<ServerConfig> {
  let text: string;
  try {
    text = await readConfigText(path);
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : code ?? 'error';
    throw new ConfigError(`cannot read config file ${path}: ${why}`);
  }
  return parseConfig(text, path);
}

/** The longest retention taken: Go's longest duration, as Vault bounds every duration. */
const MAX_DURATION_MS = MAX_DURATION_SECONDS * 1000;

/** How long the HCL parser (its own thread, hcl-parser.ts) may take over the file. */
const CONFIG_PARSE_TIMEOUT_MS = 5000;

export async function parseConfig(text: string, filename = 'config.hcl'): Promise<ServerConfig> {
  let raw: unknown;
  if (filename.endsWith('.json') || text.trimStart().startsWith('{')) {
    try {
      raw = JSON.parse(text);
    } catch {
      // JSON.parse's message quotes the text around the fault, which may be a password.
      throw new ConfigError(`${filename}: invalid JSON: ${jsonSyntaxFault(text)}`);
    }
    // JSON.parse keeps the last of repeated keys: a reader of the file would see the first.
    const repeated = duplicateJsonKey(text);
    if (repeated !== undefined) throw new ConfigError(`${filename}: the key "${repeated.slice(0, 60)}" is set twice in one object`);
  } else {
    try {
      raw = await parseHcl(filename, text, { timeoutMs: CONFIG_PARSE_TIMEOUT_MS });
    } catch (err) {
      if (err instanceof HclParseError && err.reason !== 'invalid') throw new ConfigError(`${filename}: the HCL could not be parsed: ${err.message}`);
      throw new ConfigError(`${filename}: invalid HCL: ${String((err as Error).message ?? err).trim()}`);
    }
  }
  if (!isObj(raw)) throw new ConfigError(`${filename}: the configuration must be an object`);
  return validate(raw);
}

/** One top-level setting or block: reads `raw` into `cfg`, throwing ConfigError when invalid. */
type Section = (raw: Obj, cfg: ServerConfig) => void;

/**
 * Each section is checked on its own, so one run reports every problem of a file (as
 * `sealtrail operator diagnose` shows them), each named by the key it is about.
 */
const SECTIONS: Array<[key: string, read: Section]> = [
  ['listener', readListener],
  ['storage', readStorage],
  ['api_addr', readApiAddr],
  ['seal', readSeal],
  ['log_level', (raw, cfg) => {
    if (raw.log_level === undefined) return;
    const level = str(raw.log_level, 'log_level').toLowerCase();
    if (!['trace', 'debug', 'info', 'warn', 'error'].includes(level)) throw new ConfigError('log_level must be one of trace, debug, info, warn, error');
    cfg.logLevel = level as ServerConfig['logLevel'];
  }],
  ['log_format', (raw, cfg) => {
    if (raw.log_format === undefined) return;
    const format = str(raw.log_format, 'log_format').toLowerCase();
    if (format !== 'json' && format !== 'standard') throw new ConfigError('log_format must be "standard" or "json"');
    cfg.logFormat = format;
  }],
  ['pid_file', (raw, cfg) => { if (raw.pid_file !== undefined) cfg.pidFile = str(raw.pid_file, 'pid_file'); }],
  ['cluster_name', (raw, cfg) => { if (raw.cluster_name !== undefined) cfg.clusterName = str(raw.cluster_name, 'cluster_name'); }],
  // As in Vault: 0 is the built-in 768h (a token's TTL of 0 would be one that never expires), and
  // the default may not exceed the max.
  ['default_lease_ttl', (raw, cfg) => { if (raw.default_lease_ttl !== undefined) cfg.defaultLeaseTtl = dur(raw.default_lease_ttl, 'default_lease_ttl') || DEFAULT_LEASE_TTL; }],
  ['max_lease_ttl', (raw, cfg) => {
    if (raw.max_lease_ttl !== undefined) cfg.maxLeaseTtl = dur(raw.max_lease_ttl, 'max_lease_ttl') || DEFAULT_LEASE_TTL;
    if (cfg.defaultLeaseTtl > cfg.maxLeaseTtl) {
      throw new ConfigError(`default_lease_ttl (${cfg.defaultLeaseTtl}s) must not be greater than max_lease_ttl (${cfg.maxLeaseTtl}s)`);
    }
  }],
  ['allow_api_audit_creation', (raw, cfg) => { if (raw.allow_api_audit_creation !== undefined) cfg.allowApiAuditCreation = bool(raw.allow_api_audit_creation, 'allow_api_audit_creation'); }],
  ['allow_audit_log_prefixing', (raw, cfg) => { if (raw.allow_audit_log_prefixing !== undefined) cfg.allowAuditLogPrefixing = bool(raw.allow_audit_log_prefixing, 'allow_audit_log_prefixing'); }],
  ['audit_block_timeout', (raw, cfg) => {
    if (raw.audit_block_timeout === undefined) return;
    const ms = parseDurationMs(raw.audit_block_timeout);
    // At most a day: a timer takes no more than 2^31 − 1 ms, and a longer delay would fire at once, every millisecond.
    if (ms === undefined || ms <= 0 || ms > 24 * 3600_000) throw new ConfigError('audit_block_timeout must be a positive duration of at most 24h such as "10s" or "500ms"');
    cfg.auditBlockTimeoutMs = ms;
  }],
  ['unauthenticated_metrics_access', (raw, cfg) => { if (raw.unauthenticated_metrics_access !== undefined) cfg.unauthenticatedMetricsAccess = bool(raw.unauthenticated_metrics_access, 'unauthenticated_metrics_access'); }],
  ['ui', (raw, cfg) => { if (raw.ui !== undefined) cfg.ui = bool(raw.ui, 'ui'); }],
  ['audit', (raw, cfg) => { cfg.audit = auditBlocks(raw.audit); }],
  ['kms', readKms],
  ['trail', (raw, cfg) => { cfg.trails = trailBlocks(raw.trail); }],
  ['journal', readJournal],
  ['ledger', readLedger],
  ['token_tidy_interval', (raw, cfg) => {
    if (raw.token_tidy_interval === undefined) return;
    const ms = parseDurationMs(raw.token_tidy_interval);
    if (ms === undefined || ms < 1000 || ms > 7 * 24 * 3600_000) throw new ConfigError('token_tidy_interval must be a duration from 1s to 168h such as "1h"');
    cfg.tokenTidyIntervalMs = ms;
  }],
  ['event_retention', (raw, cfg) => {
    if (raw.event_retention === undefined) return;
    const ms = parseDurationMs(raw.event_retention);
    if (ms === undefined || ms <= 0 || ms > MAX_DURATION_MS) throw new ConfigError('event_retention must be a positive duration of at most 2562047h such as "2160h"');
    cfg.eventRetentionMs = ms;
  }],
];

/** Settings Vault's configuration has that this server accepts and ignores. */
const IGNORED = new Set(['disable_mlock', 'cluster_addr']);

function validate(raw: Obj): ServerConfig {
  const cfg = defaultConfig();
  const problems: ConfigProblem[] = [];
  const known = new Set([...SECTIONS.map(([key]) => key), ...IGNORED]);
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.push({ key, message: `unknown configuration key "${key}"` });
  for (const [key, read] of SECTIONS) {
    try {
      read(raw, cfg);
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      for (const p of err.problems) problems.push({ key, message: p.message });
    }
  }
  cfg.declared = { listener: raw.listener !== undefined, storage: raw.storage !== undefined };
  if (problems.length === 0) problems.push(...journalBesideStorage(raw, cfg));
  if (problems.length > 0) throw new ConfigError(problems.map((p) => p.message).join('; '), problems);
  return cfg;
}

function readListener(raw: Obj, cfg: ServerConfig): void {
  const listener = singleBlock(raw.listener, 'listener');
  if (!listener) return;
  if (listener.label !== 'tcp') throw new ConfigError(`listener "${listener.label}": only "tcp" listeners are supported`);
  const body = listener.body;
  allowKeys(body, ['address', 'tls_disable', 'tls_cert_file', 'tls_key_file', ...LISTENER_TLS_KEYS, ...FORWARDED_FOR_KEYS, 'max_request_size',
    'http_read_header_timeout', 'http_read_timeout', 'http_idle_timeout', 'max_connections', ...REQUEST_LIMIT_KEYS], 'listener "tcp"');
  // TLS is on unless the block turns it off, as in Vault.
  cfg.listener.tlsDisable = false;
  if (body.address !== undefined) cfg.listener.address = str(body.address, 'listener.address');
  if (body.tls_disable !== undefined) cfg.listener.tlsDisable = bool(body.tls_disable, 'listener.tls_disable');
  if (body.tls_cert_file !== undefined) cfg.listener.tlsCertFile = str(body.tls_cert_file, 'listener.tls_cert_file');
  if (body.tls_key_file !== undefined) cfg.listener.tlsKeyFile = str(body.tls_key_file, 'listener.tls_key_file');
  readListenerTls(body, cfg.listener);
  const forwardedFor = readForwardedFor(body);
  if (forwardedFor) cfg.listener.forwardedFor = forwardedFor;
  if (body.max_request_size !== undefined) {
    const n = wholeNumber(body.max_request_size);
    if (!Number.isInteger(n) || n <= 0) throw new ConfigError('listener.max_request_size must be a positive number of bytes');
    cfg.listener.maxRequestSize = n;
  }
  listenerLimits(body, cfg.listener);
  Object.assign(cfg.listener, parseRequestLimits(body, (m) => new ConfigError(m)));
  if (!cfg.listener.tlsDisable && (!cfg.listener.tlsCertFile || !cfg.listener.tlsKeyFile)) {
    throw new ConfigError('listener "tcp": tls_cert_file and tls_key_file are required unless tls_disable = true');
  }
  parseAddress(cfg.listener.address);
}

function readStorage(raw: Obj, cfg: ServerConfig): void {
  const storage = singleBlock(raw.storage, 'storage');
  if (!storage) return;
  if (storage.label === 'sqlite') {
    allowKeys(storage.body, ['path'], 'storage "sqlite"');
    cfg.storage = { type: 'sqlite', path: str(storage.body.path, 'storage.path') };
  } else if (storage.label === 'inmem') {
    allowKeys(storage.body, [], 'storage "inmem"');
    cfg.storage = { type: 'inmem' };
  } else if (storage.label === 'postgresql') {
    cfg.storage = postgresStorage(storage.body, process.env.SEALTRAIL_PG_CONNECTION_URL);
  } else {
    throw new ConfigError(`storage "${storage.label}" is not supported; use "sqlite", "postgresql" or "inmem"`);
  }
}

/** `api_addr`: an http(s) origin; required when the storage has HA enabled (standbys redirect to it). */
function readApiAddr(raw: Obj, cfg: ServerConfig): void {
  if (raw.api_addr !== undefined) cfg.apiAddr = apiAddress(raw.api_addr);
  if (cfg.storage.type === 'postgresql' && cfg.storage.haEnabled && cfg.apiAddr === undefined) {
    throw new ConfigError('api_addr is required with ha_enabled: the address (such as "https://node1.example.com:8200") standby nodes redirect clients to when this node is active');
  }
}

function readSeal(raw: Obj, cfg: ServerConfig): void {
  const seal = singleBlock(raw.seal, 'seal');
  if (!seal) return;
  if (seal.label !== 'file') throw new ConfigError(`seal "${seal.label}" is not supported; use "file" (auto-unseal from a key file)`);
  allowKeys(seal.body, ['path'], 'seal "file"');
  cfg.seal = { type: 'file', path: str(seal.body.path, 'seal.path') };
}

function readKms(raw: Obj, cfg: ServerConfig): void {
  if (raw.kms === undefined) return;
  // A second block would be ignored, and its settings with it.
  const list = asList(raw.kms);
  if (list.length !== 1) throw new ConfigError('exactly one kms block is supported');
  const body = list[0];
  allowKeys(body, ['account_id', 'region'], 'kms');
  if (body.account_id !== undefined) {
    const id = String(body.account_id);
    if (!/^\d{12}$/.test(id)) throw new ConfigError('kms.account_id must be a 12-digit AWS account id');
    cfg.kms.accountId = id;
  }
  if (body.region !== undefined) {
    const region = str(body.region, 'kms.region');
    if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) throw new ConfigError(`kms.region "${region}" is not an AWS region name such as us-east-1`);
    cfg.kms.region = region;
  }
}

/** Connection timeouts and the connection cap: every one positive, so none can be switched off. */
function listenerLimits(body: Obj, listener: ServerConfig['listener']): void {
  const timeout = (key: string): number | undefined => {
    if (body[key] === undefined) return undefined;
    const ms = parseDurationMs(body[key]);
    if (ms === undefined || ms < 100 || ms > 24 * 3600_000) throw new ConfigError(`listener.${key} must be a duration from 100ms to 24h such as "10s"`);
    return Math.round(ms);
  };
  listener.httpReadHeaderTimeoutMs = timeout('http_read_header_timeout') ?? listener.httpReadHeaderTimeoutMs;
  listener.httpReadTimeoutMs = timeout('http_read_timeout') ?? listener.httpReadTimeoutMs;
  listener.httpIdleTimeoutMs = timeout('http_idle_timeout') ?? listener.httpIdleTimeoutMs;
  if (listener.httpReadHeaderTimeoutMs > listener.httpReadTimeoutMs) {
    throw new ConfigError('listener.http_read_header_timeout must not be longer than listener.http_read_timeout');
  }
  if (body.max_connections !== undefined) {
    const n = wholeNumber(body.max_connections);
    if (!Number.isInteger(n) || n < 1 || n > 1_000_000) throw new ConfigError('listener.max_connections must be an integer from 1 to 1000000');
    listener.maxConnections = n;
  }
}

/**
 * Where the journal goes when its block does not say: on PostgreSQL storage, into the same
 * database (a journal beside a shared store must be shared too). With HA it must be: every node
 * appends while active, and a failover must find every acknowledged record.
 */
function journalBesideStorage(raw: Obj, cfg: ServerConfig): ConfigProblem[] {
  if (cfg.storage.type !== 'postgresql') return [];
  const journals = raw.journal === undefined ? [{}] : asList(raw.journal);
  if (journals.length !== 1) throw new ConfigError('exactly one journal block is supported');
  const body = journals[0];
  if (body.storage === undefined && body.path === undefined) cfg.journal.storage = 'postgresql';
  if (cfg.storage.haEnabled && cfg.journal.enabled && cfg.journal.storage !== 'postgresql') {
    return [{ key: 'journal', message: 'with ha_enabled the journal must be on PostgreSQL (journal.storage = "postgresql"), so a failover keeps every acknowledged record' }];
  }
  return [];
}

/** `journal { enabled, path, retention, required, fsync, storage, connection_url }` */
function readJournal(raw: Obj, cfg: ServerConfig): void {
  if (raw.journal === undefined) return;
  const list = asList(raw.journal);
  if (list.length !== 1) throw new ConfigError('exactly one journal block is supported');
  const body = list[0];
  allowKeys(body, ['enabled', 'path', 'retention', 'required', 'fsync', 'storage', 'connection_url'], 'journal');
  const journal = { ...cfg.journal };
  if (body.enabled !== undefined) journal.enabled = bool(body.enabled, 'journal.enabled');
  if (body.path !== undefined) journal.path = str(body.path, 'journal.path');
  if (body.required !== undefined) journal.required = bool(body.required, 'journal.required');
  if (body.fsync !== undefined) journal.fsync = bool(body.fsync, 'journal.fsync');
  if (body.storage !== undefined) {
    const storage = str(body.storage, 'journal.storage');
    if (storage !== 'sqlite' && storage !== 'postgresql') throw new ConfigError('journal.storage must be "sqlite" or "postgresql"');
    journal.storage = storage;
  }
  if (body.connection_url !== undefined) {
    // Never echoed: it may hold a password.
    const url = str(body.connection_url, 'journal.connection_url');
    if (!/^postgres(ql)?:\/\//.test(url) || !URL.canParse(url)) throw new ConfigError('journal.connection_url must be a URL such as "postgres://user:password@host:5432/database"');
    journal.connectionUrl = url;
  }
  if (journal.connectionUrl !== undefined && journal.storage !== 'postgresql') throw new ConfigError('journal.connection_url is for journal.storage = "postgresql"');
  if (body.retention !== undefined) {
    const ms = parseDurationMs(body.retention);
    if (ms === undefined || ms < 3600_000 || ms > MAX_DURATION_MS) throw new ConfigError('journal.retention must be a duration from 1h to 2562047h such as "2160h"');
    journal.retentionMs = ms;
  }
  cfg.journal = journal;
}

/** The longest ledger origin accepted (a checkpoint's first line; tlog-checkpoint asks for a URL-like name). */
export const MAX_LEDGER_ORIGIN = 255;

/** `ledger { enabled, origin, checkpoint_interval, public }` */
function readLedger(raw: Obj, cfg: ServerConfig): void {
  if (raw.ledger === undefined) return;
  const list = asList(raw.ledger);
  if (list.length !== 1) throw new ConfigError('exactly one ledger block is supported');
  const body = list[0];
  allowKeys(body, ['enabled', 'origin', 'checkpoint_interval', 'public'], 'ledger');
  const ledger = { ...cfg.ledger };
  if (body.origin !== undefined) {
    const origin = str(body.origin, 'ledger.origin');
    // The origin names the signing key too: signed notes forbid spaces, controls and "+" in it.
    if (origin.length > MAX_LEDGER_ORIGIN || /[\s\p{Cc}+]/u.test(origin)) {
      throw new ConfigError(`ledger.origin must be at most ${MAX_LEDGER_ORIGIN} characters without spaces, control characters or "+", such as "example.com/sealtrail"`);
    }
    ledger.origin = origin;
  }
  if (body.checkpoint_interval !== undefined) {
    const ms = parseDurationMs(body.checkpoint_interval);
    if (ms === undefined || ms < 100 || ms > 3600_000) throw new ConfigError('ledger.checkpoint_interval must be a duration from 100ms to 1h such as "1s"');
    ledger.checkpointIntervalMs = Math.round(ms);
  }
  if (body.public !== undefined) ledger.public = bool(body.public, 'ledger.public');
  if (body.enabled !== undefined) ledger.enabled = bool(body.enabled, 'ledger.enabled');
  cfg.ledger = ledger;
}

/** `audit "<type>" "<path>" { description, local, options = {...} }` */
function auditBlocks(v: unknown): AuditDeviceConfig[] {
  if (v === undefined) return [];
  const out: AuditDeviceConfig[] = [];
  for (const [type, byPath] of Object.entries(asObj(v, 'audit'))) {
    for (const [path, bodies] of Object.entries(asObj(byPath, `audit "${type}"`))) {
      for (const body of asList(bodies)) {
        const where = `audit "${type}" "${path}"`;
        allowKeys(body, ['description', 'local', 'options'], where);
        const options: Record<string, string> = {};
        for (const [k, x] of Object.entries(body.options === undefined ? {} : asObj(body.options, `${where} options`))) {
          if (typeof x === 'object' && x !== null) throw new ConfigError(`${where} options.${k} must be a string, number or bool`);
          setOwn(options, k, String(x));
        }
        out.push({ type, path, description: body.description === undefined ? '' : str(body.description, `${where} description`), local: body.local === undefined ? false : bool(body.local, `${where} local`), options });
      }
    }
  }
  return out;
}

export function parseAddress(address: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(address);
  if (!m || Number(m[2]) > 65535) throw new ConfigError(`invalid listener address "${address}": expected host:port`);
  return { host: m[1].replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

function singleBlock(v: unknown, name: string): { label: string; body: Obj } | undefined {
  if (v === undefined) return undefined;
  const labels = Object.entries(asObj(v, name));
  if (labels.length !== 1) throw new ConfigError(`exactly one ${name} block is supported`);
  const [label, bodies] = labels[0];
  const list = asList(bodies);
  if (list.length !== 1) throw new ConfigError(`exactly one ${name} block is supported`);
  return { label, body: list[0] };
}

function dur(v: unknown, name: string): number {
  const s = parseDurationSeconds(v);
  if (s === undefined) throw new ConfigError(`${name} must be a duration such as "768h"`);
  return s;
}
