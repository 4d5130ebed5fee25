/**
 * SIGHUP, as Vault: the configuration file is read again and what can change while the server
 * runs is applied; audit files are reopened in every case (logrotate's postrotate).
 *
 *   log_level                  the server log and every child logger (unless -log-level was given)
 *   audit "<type>" "<path>"    the declared devices become exactly the file's; while sealed or
 *                              standing by, the next unseal applies them
 *   listener tls_cert_file, tls_key_file, tls_client_ca_file
 *                              read again (a renewed certificate or CA bundle): new connections use them;
 *                              a client CA file no longer named is kept until the next start
 *
 * Any other setting that differs from the file read at start (storage, the listener's address and
 * limits, the journal, HA, …) takes effect at the next start: a warning names the settings, never
 * their values. A file that cannot be read or is invalid, or TLS files that do not make a key pair,
 * change nothing: the server runs on as it was. An audit device the file declares that cannot be
 * opened fails the reload after the rest was applied, as at unseal; a new `required` one refuses
 * every request until a later reload enables it or drops it (manager.ts). Every reload is a `reload`
 * server event in the journal with its outcome; the event names what changed, never the file's text.
 */
import { createSecureContext } from 'node:tls';
import { ConfigDevicesNotEnabled, failureReason, normaliseAuditPath, type AuditManager, type ConfigDeviceDeclaration, type ConfigDeviceFailure } from '../audit/index.js';
import { ConfigError, listenerTlsOptions, loadConfigFile, type ListenerTlsOptions, type ServerConfig } from '../config/index.js';
import { configurationProblems } from './config-problems.js';
import type { ServerEvents } from '../journal/index.js';
import { setLogLevel, type ServerLogger } from '../server/index.js';

export interface ReloadDeps {
  /** The configuration file; without one a reload only reopens the audit files. */
  configPath?: string;
  dev: boolean;
  /** The file's settings as read at start, before dev mode's and the command line's overrides. */
  started: ServerConfig;
  /** -log-level was given: it wins over the file's, as at start. */
  logLevelFlag: boolean;
  log: ServerLogger;
  /** The devices the file declares (the journal's included), as the next unseal applies them. */
  declarationsOf(config: ServerConfig): ConfigDeviceDeclaration[];
  setDeclarations(list: readonly ConfigDeviceDeclaration[]): void;
  /** The unsealed services' audit manager; none while sealed or standing by. */
  audit(): AuditManager | undefined;
  /** Replaces the listener's secure context (key, certificate, client CA); present only for a TLS listener. */
  setTls?(context: ListenerTlsOptions): void;
  events: ServerEvents;
}

export interface ReloadResult {
  ok: boolean;
  /** What the reload changed: `log_level`, `audit`, `tls`. */
  applied: string[];
  /** Settings whose new values wait for the next start. */
  restartRequired: string[];
  /** Why it failed: `config` (unreadable or invalid), `tls` (no key pair), `audit_device` (one could not be opened). */
  problem?: 'config' | 'tls' | 'audit_device';
}

/** Where each setting is named in the file; null for the ones a reload applies. */
const SETTING_NAMES: Record<keyof ServerConfig, string | null> = {
  listener: 'listener', storage: 'storage', apiAddr: 'api_addr', seal: 'seal', logLevel: null, logFormat: 'log_format', pidFile: 'pid_file', clusterName: 'cluster_name',
  defaultLeaseTtl: 'default_lease_ttl', maxLeaseTtl: 'max_lease_ttl', allowApiAuditCreation: 'allow_api_audit_creation',
  allowAuditLogPrefixing: 'allow_audit_log_prefixing', auditBlockTimeoutMs: 'audit_block_timeout',
  unauthenticatedMetricsAccess: 'unauthenticated_metrics_access', audit: null, kms: 'kms', trails: 'trail',
  eventRetentionMs: 'event_retention', journal: 'journal', ledger: 'ledger', declared: null,
  tokenTidyIntervalMs: 'token_tidy_interval', ui: 'ui',
};

/**
 * The client CA file a reload reads: the file's, or while the server started with one and the file
 * now names none, that one still. Without a file Node's bundled roots verify client certificates,
 * so dropping it widens who gets through the handshake: like the requirement itself, that waits
 * for a restart.
 */
const clientCaFile = (started: ServerConfig['listener'], next: ServerConfig['listener']) => next.tlsClientCaFile ?? started.tlsClientCaFile;

/**
 * The settings that differ and wait for a restart; the listener's TLS files are reloadable, but
 * the listener's client CA file no longer being named is not.
 */
function restartOnly(started: ServerConfig, next: ServerConfig): string[] {
  const caDropped = started.listener.tlsClientCaFile !== undefined && next.listener.tlsClientCaFile === undefined;
  const fixed = (c: ServerConfig, key: keyof ServerConfig) =>
    JSON.stringify(key === 'listener' ? { ...c.listener, tlsCertFile: undefined, tlsKeyFile: undefined, tlsClientCaFile: undefined } : c[key]);
  return (Object.keys(SETTING_NAMES) as Array<keyof ServerConfig>)
    .filter((key) => SETTING_NAMES[key] !== null && (fixed(started, key) !== fixed(next, key) || (key === 'listener' && caDropped)))
    .map((key) => SETTING_NAMES[key]!);
}

class ReloadRefused extends Error {
  constructor(readonly problem: 'config' | 'tls' | 'audit_device', message: string, readonly details: Record<string, string> = {}) {
    super(message);
  }
}

/**
 * The `reload` record's words for devices that could not be enabled: their paths, and why (the
 * reasons carry no option value that can hold a secret: config-failures.ts).
 */
function deviceFailureDetails(failures: readonly ConfigDeviceFailure[]): Record<string, string> {
  return {
    device: failures.map((f) => f.device).join(','),
    reason: failures.length === 1 ? failures[0].reason : failures.map((f) => `${f.device}: ${f.reason}`).join('; '),
  };
}

async function readConfig(path: string, dev: boolean): Promise<ServerConfig> {
  try {
    const next = await loadConfigFile(path);
    const problems = configurationProblems(next, { dev });
    if (problems.length > 0) throw new ConfigError(problems.map((p) => p.message).join('; '), problems);
    return next;
  } catch (err) {
    if (err instanceof ConfigError) throw new ReloadRefused('config', err.message);
    throw err;
  }
}

/**
 * The listener's secure context from the files `next` names, with the TLS versions and client
 * certificate rule the server started with (those wait for a restart): read and checked (a key
 * pair, a client CA file of certificates) before anything is replaced.
 */
function readTlsContext(started: ServerConfig['listener'], next: ServerConfig['listener']): ListenerTlsOptions {
  try {
    const context = listenerTlsOptions({ ...started, tlsCertFile: next.tlsCertFile, tlsKeyFile: next.tlsKeyFile, tlsClientCaFile: clientCaFile(started, next) });
    createSecureContext(context);
    return context;
  } catch (err) {
    const reason = err instanceof ConfigError ? err.message : (err as NodeJS.ErrnoException).code ?? 'not a matching key pair';
    throw new ReloadRefused('tls', `the listener's certificate files could not be loaded (${reason})`);
  }
}

/**
 * The `reload` record's words for what a new list of declared devices changes: the paths removed,
 * added and changed, never their options (which can hold secrets). A removal always happens once
 * the list is applied; additions and changes only when they could be opened, so the caller names
 * those on success alone.
 */
function devicePath(path: string): string {
  try {
    return normaliseAuditPath(path);
  } catch {
    return path;
  }
}

function deviceChanges(before: readonly ConfigDeviceDeclaration[], after: readonly ConfigDeviceDeclaration[]) {
  const byPath = (list: readonly ConfigDeviceDeclaration[]) => new Map(list.map((d) => [devicePath(d.path), JSON.stringify({ ...d, path: undefined })]));
  const was = byPath(before);
  const now = byPath(after);
  return {
    removed: [...was.keys()].filter((p) => !now.has(p)),
    added: [...now.keys()].filter((p) => !was.has(p)),
    changed: [...now.keys()].filter((p) => was.has(p) && was.get(p) !== now.get(p)),
  };
}

/** The details naming a non-empty list of paths under `key`. */
const named = (key: string, paths: readonly string[]): Record<string, string> => (paths.length > 0 ? { [key]: paths.join(',') } : {});

/** What `declared` holds after a failed apply: equal to no list, so the next reload applies its file whole. */
const UNKNOWN = '';

/** One reload at a time: a second SIGHUP waits for the first. */
export function configReloader(deps: ReloadDeps): () => Promise<ReloadResult> {
  let logLevel = deps.started.logLevel;
  let declaredList = deps.declarationsOf(deps.started);
  let declared = JSON.stringify(declaredList);
  let queue: Promise<unknown> = Promise.resolve();

  async function apply(): Promise<ReloadResult> {
    const result: ReloadResult = { ok: true, applied: [], restartRequired: [] };
    let problemDetails: Record<string, string> = {};
    let deviceDetails: Record<string, string> = {};
    try {
      if (deps.configPath) {
        const next = await readConfig(deps.configPath, deps.dev);
        const tls = deps.setTls && !next.listener.tlsDisable ? readTlsContext(deps.started.listener, next.listener) : undefined;
        result.restartRequired = restartOnly(deps.started, next);
        // The devices first: a declared device that cannot be opened fails the reload before any
        // other setting changes. Each other device change is applied or not on its own (the one
        // that failed goes on as it was), and the same file on the next SIGHUP tries it again.
        const list = deps.declarationsOf(next);
        const devices = JSON.stringify(list);
        if (devices !== declared) {
          const changes = deviceChanges(declaredList, list);
          declaredList = list;
          deviceDetails = named('audit_removed', changes.removed);
          if (changes.removed.length > 0) deps.log.warn({ devices: changes.removed }, 'SIGHUP: audit devices the configuration no longer declares were disabled');
          deps.setDeclarations(list);
          try {
            await deps.audit()?.applyConfigDevices(list);
          } catch (err) {
            // The other declared devices may have changed: what runs is known to match no file, so
            // the next SIGHUP applies whatever the file then says, even the file before this one.
            declared = UNKNOWN;
            const details = err instanceof ConfigDevicesNotEnabled ? deviceFailureDetails(err.failures) : { reason: failureReason(err) };
            const failures = err instanceof ConfigDevicesNotEnabled ? err.failures : [details];
            for (const f of failures) {
              deps.log.error(f, 'SIGHUP: an audit device the configuration declares could not be enabled; the other declared devices were applied, the log level and the certificate were not');
            }
            throw new ReloadRefused('audit_device', 'an audit device the configuration declares could not be enabled', details);
          }
          declared = devices;
          deviceDetails = { ...deviceDetails, ...named('audit_added', changes.added), ...named('audit_changed', changes.changed) };
          result.applied.push('audit');
        }
        if (!deps.logLevelFlag && next.logLevel !== logLevel) {
          setLogLevel(deps.log, next.logLevel);
          logLevel = next.logLevel;
          result.applied.push('log_level');
        }
        if (tls) {
          deps.setTls!(tls);
          result.applied.push('tls');
        }
      }
    } catch (err) {
      if (!(err instanceof ReloadRefused)) throw err;
      Object.assign(result, { ok: false, problem: err.problem, applied: [], restartRequired: [] });
      problemDetails = err.details;
      if (err.problem !== 'audit_device') deps.log.error({ reason: err.message }, 'SIGHUP: the configuration was not reloaded; the server runs as it was');
    }
    // Sealed or standing by, no device is open: the next unseal opens the files under their names.
    const audit = deps.audit();
    if (audit) await audit.reopenAll();
    if (result.restartRequired.length > 0) {
      deps.log.warn({ settings: result.restartRequired }, 'SIGHUP: these settings changed and take effect at the next start');
    }
    if (result.ok) {
      deps.log.info({ applied: result.applied }, audit
        ? 'SIGHUP: configuration reloaded, audit devices reopened'
        : 'SIGHUP: configuration reloaded; no audit device is open while sealed or standing by (the next unseal opens them)');
    }
    deps.events.record('reload', {
      applied: result.applied.join(','),
      restart_required: result.restartRequired.join(','),
      ...deviceDetails,
      ...(result.problem ? { problem: result.problem, ...problemDetails } : {}),
    }, result.ok ? 'success' : 'failure');
    return result;
  }

  return () => {
    const run = queue.then(apply, apply);
    queue = run.catch(() => undefined);
    return run;
  };
}
