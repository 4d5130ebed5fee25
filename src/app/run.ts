/**
 * `sealtrail server`: loads the configuration (or dev defaults), opens storage, builds the core,
 * listens, and handles signals (SIGHUP reloads what it can of the configuration and reopens audit
 * files: reload.ts; SIGINT/SIGTERM shut down cleanly).
 */
import { rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Server as TlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { preflightConfigDevices, type ConfigDeviceDeclaration } from '../audit/index.js';
import { ConfigError, DEV_LISTEN_ADDRESS, listenerTlsOptions, loadConfigFile, parseAddress, defaultConfig, journalPath, uiEnabled, type ServerConfig } from '../config/index.js';
import { Core } from '../core/index.js';
import { systemClock, type Clock } from '../lib/clock.js';
import { uuid } from '../lib/ids.js';
import { createUndoStack } from '../lib/undo.js';
import { repeatLimited } from '../lib/repeat-limited-log.js';
import { configurationProblems } from './config-problems.js';
import { directoriesOf, lockDirectory, withRealDirectories, type DataLock } from './data-lock.js';
import { createSealManager, readUnsealKeyFile, persistentClusterId } from '../storage/index.js';
import { haNodeFor, openNodeStorage } from './node.js';
import { sealEndpoints } from '../sys/index.js';
import { devAttestationCa, devDataDir, devMounts, devRootToken, devUnseal, devUnsealKeyFile } from './dev.js';
import { registerAwsRoutes, registerConsole, createHttpServer, createLogger, watchDescriptors } from '../server/index.js';
import { ensureDevKmsUser } from '../kms/index.js';
import type { Services } from './services.js';
import { auditDeclarations, auditSinks, openJournalAndLedger } from './journal.js';
import { serverEvents } from '../journal/index.js';
import { servicesBuilder } from './wiring.js';
import type { ChallengeSource } from '../auth/index.js';
import type { Ledger } from './ledger.js';
import { configReloader, type ReloadResult } from './reload.js';
import { writePidFile } from './pid-file.js';

export interface ServerRunOptions {
  configPath?: string;
  dev?: boolean;
  devRootTokenId?: string;
  devListenAddress?: string;
  devDataDir?: string;
  logLevel?: string;
  /** Tests inject a clock; everything else uses the system clock. */
  clock?: Clock;
  /** Tests inject where attestation challenges come from, to answer them with recorded evidence. */
  apmChallengeSource?: ChallengeSource;
  /** Where the startup banner goes (default stdout). */
  out?: (line: string) => void;
  /** Install SIGHUP/SIGINT/SIGTERM handlers (default true; tests pass false). */
  handleSignals?: boolean;
  /** The built console served at /ui/ (default: dist/ui of this package). */
  uiDir?: string;
}

/** dist/ui of this package, from src/app/ (tsx) and from dist/app/ (built) alike. */
export const DEFAULT_UI_DIR = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

export interface RunningServer {
  address: string;
  core: Core<Services>;
  config: ServerConfig;
  rootToken?: string;
  dataDir?: string;
  /** The ledger (absent when the journal is off or in memory); `current()` is its latest checkpoint. */
  ledger?: Ledger;
  closed: Promise<void>;
  close(): Promise<void>;
  /** What SIGHUP does (reload.ts): the configuration's reloadable settings, and audit files reopened. */
  reload(): Promise<ReloadResult>;
}

/** The directories of the SQLite databases this server writes (its storage's and its journal's; events.db and the ledger sit beside them). */
function dataDirectories(config: ServerConfig): string[] {
  const dirs = new Set<string>();
  if (config.storage.type === 'sqlite') for (const dir of directoriesOf(config.storage.path)) dirs.add(dir);
  const journal = journalPath(config);
  if (config.journal.enabled && config.journal.storage !== 'postgresql' && journal !== ':memory:') for (const dir of directoriesOf(journal)) dirs.add(dir);
  return [...dirs];
}

/** The names a browser may use for this server over plain HTTP (server/origin.ts): the machine's and api_addr's host. */
function ownHostNames(config: ServerConfig): Set<string> {
  const names = new Set([hostname().toLowerCase()]);
  if (config.apiAddr !== undefined) names.add(new URL(config.apiAddr).hostname.toLowerCase());
  return names;
}

function devKeepsTls(config: ServerConfig): boolean {
  const l = config.listener;
  return config.declared.listener && !l.tlsDisable && l.tlsCertFile !== undefined && l.tlsKeyFile !== undefined;
}

/** A SIGHUP held while the server starts: the reload it asks for runs once the reloader exists. */
interface HeldSighup {
  release(reload: () => void): void;
  drop(): void;
}

/**
 * SIGHUP's default action ends the process: from the first moment of the start, one that arrives
 * (`systemctl reload`, logrotate's postrotate) is held instead, and served once the server runs.
 */
function holdSighup(): HeldSighup {
  let pending = false;
  const hold = () => { pending = true; };
  process.on('SIGHUP', hold);
  return {
    release(reload) {
      process.off('SIGHUP', hold);
      process.on('SIGHUP', reload);
      if (pending) reload();
    },
    drop: () => void process.off('SIGHUP', hold),
  };
}

export async function runServer(opts: ServerRunOptions): Promise<RunningServer> {
  const sighup = opts.handleSignals !== false ? holdSighup() : undefined;
  try {
    return await startServer(opts, sighup);
  } catch (err) {
    sighup?.drop();
    throw err;
  }
}

async function startServer(opts: ServerRunOptions, sighup: HeldSighup | undefined): Promise<RunningServer> {
  const out = opts.out ?? ((line: string) => process.stdout.write(`${line}\n`));
  const clock = opts.clock ?? systemClock;
  let config: ServerConfig = opts.configPath ? await loadConfigFile(opts.configPath) : defaultConfig();
  /** The file as read, before dev mode's and the command line's overrides: what a reload compares with. */
  const started = config;
  const problems = configurationProblems(config, { dev: opts.dev === true });
  if (problems.length > 0) throw new ConfigError(problems.map((p) => p.message).join('; '), problems);
  let dataDir: string | undefined;
  /** Dev mode's own temporary directory: like Vault's in-memory dev server, it ends with the server. */
  let temporaryDir = false;
  if (opts.dev) {
    const dd = devDataDir({ dataDir: opts.devDataDir });
    dataDir = dd.dir;
    temporaryDir = !dd.persistent;
    config = {
      ...config,
      storage: { type: 'sqlite', path: join(dd.dir, 'sealtrail.db') },
      allowApiAuditCreation: true,
      // Like `vault server -dev-tls`: a config file whose listener names certificate files keeps
      // TLS in dev mode; otherwise the dev listener is plain HTTP. It listens where
      // -dev-listen-address says, else where the file's listener does, else on 127.0.0.1:8200.
      listener: { ...config.listener, address: opts.devListenAddress ?? (config.declared.listener ? config.listener.address : DEV_LISTEN_ADDRESS), tlsDisable: !devKeepsTls(config) },
    };
  }
  // Every database is opened under its directory's real name, the one its lock is taken in.
  config = withRealDirectories(config);
  // A start that fails half-way (a bad address, a port in use, a TLS file missing) undoes what it
  // did, newest first: no open database, no unsealed services, no temporary dev directory left.
  const undo = createUndoStack();
  const locks: DataLock[] = [];
  if (temporaryDir) undo.push(() => rm(dataDir!, { recursive: true, force: true }));
  try {
    if (opts.logLevel) config = { ...config, logLevel: opts.logLevel as ServerConfig['logLevel'] };
    const log = createLogger(config.logLevel, config.logFormat);
    if (opts.dev && config.declared.storage) log.warn({ dataDir }, 'dev mode keeps its data in its own directory (-dev-data-dir, or a temporary one): the configuration\'s storage is not used');
    // What the listener needs is checked before storage and services are created.
    const { host, port } = parseAddress(config.listener.address);
    const https = config.listener.tlsDisable ? undefined : listenerTlsOptions(config.listener);

    // One server per data directory: a second one on these files refuses to start (data-lock.ts).
    for (const dir of dataDirectories(config)) {
      const lock = lockDirectory(dir);
      undo.push(() => lock.release());
      locks.push(lock);
    }
    const devCa = opts.dev ? await devAttestationCa(dataDir!, clock) : undefined;
    // The journal is open while the server runs, sealed or not: it is not behind the barrier.
    // The ledger follows the journal (every record a leaf); it signs checkpoints while unsealed.
    // With HA only the active node appends (server events, the ledger); bound once the node exists,
    // and until then an HA node appends nothing: another node may be active.
    const haConfigured = config.storage.type === 'postgresql' && config.storage.haEnabled;
    let appendsHere = () => !haConfigured;
    const { journal, ledger, health: journalHealth, close: closeJournal } = await openJournalAndLedger(config, clock, log, {
      ledgerActive: () => appendsHere(),
      // Reported from the indexer thread, after `events` below exists.
      onEpisode: (event, details) => events.record(event, details.code ? { code: details.code } : {}),
    });
    undo.push(closeJournal);
    const sinks = auditSinks(journal);
    const journalEvents = serverEvents(journal, clock, (err) => log.error({ err }, 'the journal could not record a server event'));
    const events: typeof journalEvents = { record: (event, details, outcome) => { if (appendsHere()) journalEvents.record(event, details, outcome); } };
    // The devices the file declares, journal included: a reload replaces them (reload.ts).
    const declarationsOf = (c: ServerConfig) => auditDeclarations({ ...c, journal: config.journal });
    let declared: readonly ConfigDeviceDeclaration[] = declarationsOf(config);
    const storage = await openNodeStorage(config);
    const { physical } = storage;
    undo.push(() => physical.close());
    if (storage.ha) undo.push(() => storage.ha!.backend.close());
    const clusterId = await persistentClusterId(physical, uuid);
    const seal = createSealManager({ physical, clock, onKeyUsageError: (err, what) => log.error({ err }, what) });
    // With HA, services exist only while this node holds the lock (src/ha/node.ts).
    const ha = haNodeFor(config, storage, {
      seal, log, now: () => clock.now(),
      buildServices: () => {
        ledger?.forgetHead();
        return core.afterUnseal();
      },
      tearDown: () => core.standDown(),
    });
    const core: Core<Services> = new Core<Services>({
      seal,
      clock,
      log,
      buildServices: servicesBuilder(config, log, {
        devAttestationRoots: devCa ? () => [devCa.rootPem] : undefined, apmChallengeSource: opts.apmChallengeSource, journal, ledger, sinks, events,
        configDevices: () => declared, journalHealth,
        unsealKeyFile: config.seal?.path ?? (opts.dev ? devUnsealKeyFile(dataDir!) : undefined),
        ha: ha ? { nodes: () => ha.nodes(), stepDown: () => ha.stepDown() } : undefined,
        // With HA the node leaves the cluster (services down, lock released) before the barrier is sealed.
        seal: async () => {
          await ha?.sealed();
          await core.sealNow();
        },
      }),
      systemEndpoints: sealEndpoints({
        storageType: config.storage.type,
        clusterName: config.clusterName,
        clusterId,
        autoUnseal: config.seal !== undefined,
        ha: ha ? { unsealed: () => ha.unsealed(), standingBy: () => ha.view.standingBy(), leader: () => ha.leader(), lockForInit: () => ha.lockForInit() } : undefined,
        unauthenticatedMetrics: config.unauthenticatedMetricsAccess,
        journalHealth,
        createRootToken: async (c) => (await c.requireServices().tokens.create({ policies: ['root'], path: 'auth/token/root', displayName: 'root', noParent: true, ttl: 0 })).id,
        beforeInit: () => preflightConfigDevices(declared, {
          clock, log: log.child({ module: 'audit' }), sinks,
          settings: { allowApiAuditCreation: config.allowApiAuditCreation, allowAuditLogPrefixing: config.allowAuditLogPrefixing, blockTimeoutMs: config.auditBlockTimeoutMs },
        }),
      }),
    });
    undo.push(async () => { if (core.unsealedServices) await core.sealNow(); });
    if (ha) {
      undo.push(() => ha.stop());
      // Not the role alone: a node paused past its lease (a stalled process, SIGSTOP) wakes still
      // `active` until its fence timer runs, and must not append meanwhile (another node may be active).
      appendsHere = () => ha.holdsLease();
    }

    let rootToken: string | undefined;
    let unsealKey: string | undefined;
    let awsKeys: { accessKeyId: string; secretAccessKey: string } | undefined;
    if (opts.dev) {
      unsealKey = await devUnseal(core, dataDir!);
      const root = await devRootToken(core, dataDir!, opts.devRootTokenId);
      rootToken = root.token;
      if (root.revokedPrevious) log.info('the root token of the previous dev start on this data directory is revoked');
      await devMounts(core, dataDir!);
      const services = core.requireServices();
      awsKeys = await ensureDevKmsUser(services.kms, services.policies);
    } else if (config.seal) {
      if ((await seal.status()).initialized) {
        await seal.unsealWithKey(await readUnsealKeyFile(config.seal.path));
        if (ha) ha.unsealed();
        else await core.afterUnseal();
      } else {
        log.warn({}, 'auto-unseal configured but the server is not initialized: run `sealtrail operator init -key-shares=1 -key-threshold=1` and save the key to the seal file');
      }
    }

    // An internal error repeats once per request while a disk fails: told once per kind and window.
    const edgeLog = repeatLimited(log);
    const app = createHttpServer({
      core, log: edgeLog, maxRequestBytes: config.listener.maxRequestSize, https, limits: config.listener, forwardedFor: config.listener.forwardedFor, standby: ha?.view,
      hostNames: ownHostNames(config),
      register: (a) => {
        registerAwsRoutes(a, {
          core,
          users: () => core.unsealedServices?.kms.users,
          region: config.kms.region, clock, log: edgeLog,
          jsonLimits: { maxDepth: config.listener.maxRequestJsonDepth, maxEntries: config.listener.maxRequestJsonEntries },
          maxUnauthenticatedBytes: config.listener.maxRequestSizeUnauthenticated,
          maxRefusedJsonEntries: config.listener.maxRequestJsonEntriesUnauthenticated,
        });
        if (uiEnabled(config, opts.dev === true)) registerConsole(a, { root: opts.uiDir ?? DEFAULT_UI_DIR, log });
      },
    });
    undo.push(() => app.close());
    await app.listen({ host, port });
    const descriptors = watchDescriptors(log);
    undo.push(() => descriptors.stop());
    const pidFile = config.pidFile;
    if (pidFile !== undefined) {
      // As Vault: the process id while the server runs, for init systems and scripts; removed at stop.
      await writePidFile(pidFile, process.pid);
      undo.push(() => rm(pidFile, { force: true }));
    }
    const addr = app.server.address();
    const actualPort = typeof addr === 'object' && addr ? addr.port : port;
    events.record('start', { address: `${host}:${actualPort}`, dev: opts.dev === true });
    const scheme = https ? 'https' : 'http';
    const address = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${actualPort}`;

    let resolveClosed!: () => void;
    const closed = new Promise<void>((r) => { resolveClosed = r; });
    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        events.record('stop');
        descriptors.stop();
        await app.close();
        // Services down and the lock released before the database goes: the next active sees everything.
        await ha?.stop().catch((err) => log.error({ err }, 'error while leaving the HA cluster'));
        if (core.unsealedServices) await core.sealNow().catch((err) => log.error({ err }, 'error while sealing at shutdown'));
        await physical.close();
        await storage.ha?.backend.close();
        await journal?.close();
        for (const lock of locks) lock.release();
        if (pidFile !== undefined) await rm(pidFile, { force: true }).catch((err) => log.error({ err }, 'could not remove the pid file'));
        if (temporaryDir) await rm(dataDir!, { recursive: true, force: true }).catch((err) => log.error({ err }, 'could not remove the dev data directory'));
        log.flush?.();
        resolveClosed();
      })();
      return closing;
    };
    const reload = configReloader({
      configPath: opts.configPath, dev: opts.dev === true, started, logLevelFlag: opts.logLevel !== undefined, log, events,
      declarationsOf,
      setDeclarations: (list) => { declared = list; },
      audit: () => core.unsealedServices?.audit,
      setTls: https ? (pair) => (app.server as unknown as TlsServer).setSecureContext(pair) : undefined,
    });

    if (sighup) {
      sighup.release(() => void reload().catch((err) => log.error({ err }, 'reload failed')));
      const stop = () => void close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    }

    out(`==> Sealtrail server started${opts.dev ? ' (dev mode)' : ''}`);
    out(`Api Address: ${address}`);
    if (uiEnabled(config, opts.dev === true)) out(`Console: ${address}/ui/`);
    out(`Storage: ${storage.describe}`);
    if (ha) out(`HA: enabled (node ${ha.nodeId}, api_addr ${config.apiAddr}): ${seal.isSealed() ? 'sealed; unseal to join' : 'standing by for the lock'}`);
    if (opts.dev) {
      out(`Data Dir: ${dataDir}${temporaryDir ? ' (temporary: removed when the server stops; keep data with -dev-data-dir)' : ''}`);
      out(`Audit Log: ${join(dataDir!, 'audit.log')}`);
      if (journal) out(`Journal: ${journalPath(config)}`);
      out(`Dev Enclave CA: ${devCa!.caDir}`);
      out(`Unseal Key: ${unsealKey}`);
      out(`Root Token: ${rootToken}`);
      out(`AWS Access Key: ${awsKeys!.accessKeyId}`);
      out(`AWS Secret Key: ${awsKeys!.secretAccessKey}`);
      out(`AWS Region: ${config.kms.region}   (KMS and CloudTrail endpoint: ${address})`);
      out('');
      out('Development mode should NOT be used in production installations!');
      out(`    $ export SEALTRAIL_ADDR='${address}'`);
    }
    return { address, core, config, rootToken, dataDir, ledger, closed, close, reload };
  } catch (err) {
    await undo.unwind();
    throw err;
  }
}
