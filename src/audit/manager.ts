/**
 * Audit device management: enable/disable/list (sys/audit), devices declared in the configuration
 * file, persistence of API devices and salts, audit-hash, audited request headers, and the hooks
 * the core calls for every request. All changes are serialised, so two enables cannot race past
 * the overlap check.
 */
import { invalid, SealtrailError } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { uuid } from '../lib/ids.js';
import { createSerializer } from '../lib/keyed-lock.js';
import type { Storage } from '../storage/index.js';
import {
  normaliseAuditPath, pathsOverlap, readConfigSalts, readTable, writeConfigSalts, writeTable, type ConfigSalts,
} from './audit-table.js';
import { DEFAULT_BLOCK_TIMEOUT_MS, createAuditBroker, type AuditBrokerDeps, type AuditHealth } from './broker.js';
import { ConfigDevicesNotEnabled, failureReason } from './config-failures.js';
import { parseBoolOption, parseCommonOptions } from './device-options.js';
import { JOURNAL_DEVICE_TYPE } from './devices/journal/index.js';
import { createAuditDevice, type AuditDevice, type DeviceDefinition } from './device.js';
import type { DeliveryLosses, SinkContext, SinkFactory } from './devices/types.js';
import type { AuditHooks, AuditInput } from './model.js';
import { createPendingRemovals } from './pending-removals.js';
import { resourceShortage, shortageError } from './devices/resource-shortage.js';
import { createAuditedHeaderConfig, type AuditedHeaderConfig } from './request-headers.js';

export type DeviceSource = 'api' | 'config';

/**
 * How long past twice the block timeout a disable waits for its response entry before putting the
 * device back (the lifecycle writes that entry right after the handler; this only bounds a bug).
 */
const PENDING_REMOVAL_MARGIN_MS = 5_000;

export interface EnableRequest {
  type: string;
  description?: string;
  options?: Readonly<Record<string, string>>;
  local?: boolean;
}

export interface ConfigDeviceDeclaration extends EnableRequest {
  path: string;
}

export interface AuditDeviceInfo {
  path: string;
  type: string;
  description: string;
  options: Record<string, string>;
  local: boolean;
  source: DeviceSource;
  /** What the device's success proves (AuditSink.delivery), and a caveat when it says less than that. */
  delivery: 'confirmed' | 'sent';
  deliveryNote?: string;
  /** The last write failed (a failure episode). */
  failing: boolean;
  /** Network devices: what their lost connections took. */
  losses?: DeliveryLosses;
}

export interface AuditManagerDeps {
  /** Encrypted storage scoped to the audit subsystem (e.g. the barrier view `sys/audit/`). */
  storage: Storage;
  clock: Clock;
  log: SinkContext['log'];
  sinks: Readonly<Record<string, SinkFactory>>;
  settings: { allowApiAuditCreation: boolean; allowAuditLogPrefixing: boolean; blockTimeoutMs?: number };
  /** Told of each device's failure episodes (the journal records them as server events). */
  onEpisode?: AuditBrokerDeps['onEpisode'];
}

export interface AuditManager {
  hooks: AuditHooks;
  enable(path: string, req: EnableRequest, ctx: { source: DeviceSource }): Promise<void>;
  /**
   * Disables an API device; unknown paths are a no-op, config devices are refused. With the
   * disabling request's id, the removal is final only once that request's response entry was
   * recorded by a remaining device (pending-removals.ts); otherwise the device is put back.
   */
  disable(path: string, ctx?: { requestId?: string }): Promise<void>;
  list(): AuditDeviceInfo[];
  /** HMAC of `input` with the salt of the device at `path` (sys/audit-hash). */
  hash(path: string, input: string): string;
  /**
   * Makes the config-declared devices exactly `list` (start and SIGHUP). Each change is applied or
   * not on its own; a declared device that could not be enabled fails the call, and when it is
   * `required` every request is refused until a later call enables it or no longer declares it.
   */
  applyConfigDevices(list: readonly ConfigDeviceDeclaration[]): Promise<void>;
  reopenAll(): Promise<void>;
  /** Re-creates persisted API devices and loads the request-header config (at unseal). */
  load(): Promise<void>;
  close(): Promise<void>;
  metricsText(): string;
  health(): AuditHealth;
  requestHeaders: Pick<AuditedHeaderConfig, 'set' | 'get' | 'list' | 'delete'>;
}

interface Enabled {
  def: DeviceDefinition;
  source: DeviceSource;
}

/** The declaration's `required`, as the device would read it; one that cannot be read counts as required. */
function declaredRequired(d: ConfigDeviceDeclaration): boolean {
  try {
    return parseBoolOption(d.options ?? {}, 'required', d.type === JOURNAL_DEVICE_TYPE);
  } catch {
    return true;
  }
}

function sameDeclaration(a: DeviceDefinition, b: Omit<DeviceDefinition, 'salt'>): boolean {
  const ka = Object.keys(a.options).sort();
  const kb = Object.keys(b.options).sort();
  return a.type === b.type && a.description === b.description && a.local === b.local &&
    ka.length === kb.length && ka.every((k, i) => k === kb[i] && a.options[k] === b.options[k]);
}

/**
 * Opens and closes the sink of every config-declared device, without storage or salts: run before
 * `sys/init` persists anything, so that an audit path the server cannot write (a directory still
 * owned by root, a typo) fails the init with its reason instead of after the keys were made —
 * which would leave an initialized server whose unseal keys nobody received.
 */
export async function preflightConfigDevices(list: readonly ConfigDeviceDeclaration[], deps: Omit<AuditManagerDeps, 'storage'>): Promise<void> {
  for (const d of list) {
    const path = normaliseAuditPath(d.path);
    if (!Object.hasOwn(deps.sinks, d.type)) throw invalid(`audit device "${path}": unknown type "${d.type}"`, 'unknown_audit_type');
    const options = d.options ?? {};
    parseCommonOptions(options, deps.settings);
    const sink = await deps.sinks[d.type]({ path, options, clock: deps.clock, log: deps.log, blockTimeoutMs: deps.settings.blockTimeoutMs });
    await sink.close();
  }
}

export function createAuditManager(deps: AuditManagerDeps): AuditManager {
  const headerConfig = createAuditedHeaderConfig(deps.storage);
  const broker = createAuditBroker({
    log: deps.log, timeoutMs: deps.settings.blockTimeoutMs, headers: (i) => headerConfig.pick(i), onEpisode: deps.onEpisode,
  });
  const enabled = new Map<string, Enabled>();
  /** Declared devices that could not be enabled: their paths are the configuration's, not the API's. */
  let unopened = new Set<string>();
  const blockTimeoutMs = deps.settings.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS;
  const removals = createPendingRemovals(broker, deps.log);
  /** Runs management operations one at a time. */
  const exclusive = createSerializer();

  function testInput(): AuditInput {
    return {
      request: {
        id: uuid(), operation: 'update', path: 'sys/audit/test', data: {}, clientToken: '',
        remoteAddress: '', remotePort: 0, headers: {}, wrapTtl: 0,
      },
      operation: 'update',
      timeNs: deps.clock.nowNs(),
    };
  }

  /** Validates, builds the sink and the device; the caller persists and registers it. */
  async function build(def: DeviceDefinition): Promise<AuditDevice> {
    if (!Object.hasOwn(deps.sinks, def.type)) {
      throw invalid(`unknown audit device type "${def.type}" (known: ${Object.keys(deps.sinks).sort().join(', ')})`, 'unknown_audit_type');
    }
    const config = parseCommonOptions(def.options, deps.settings, { required: def.type === JOURNAL_DEVICE_TYPE });
    if (config.fallback) {
      const other = broker.devices().find((d) => d.config.fallback && d.path !== def.path);
      if (other) throw invalid(`only one fallback audit device is allowed; "${other.path}" is already the fallback`, 'invalid_audit_option');
    }
    const sink = await deps.sinks[def.type]({ path: def.path, options: def.options, clock: deps.clock, log: deps.log, blockTimeoutMs: deps.settings.blockTimeoutMs });
    return createAuditDevice(def, config, sink);
  }

  /** Writes the enable-time test entry; closes the device and throws if it cannot. */
  async function probe(device: AuditDevice): Promise<void> {
    const input = testInput();
    // As in Vault, the test entry passes through the device's filter: one the filter excludes is
    // not written (the device is then first tested by an entry it keeps, which fails closed).
    if (!device.accepts(input)) return;
    try {
      await broker.writeTo(device, input, 'request');
    } catch (err) {
      await closeQuietly(device);
      const shortage = resourceShortage(err);
      if (shortage) throw shortageError(`audit device "${device.path}" could not record its test entry, so it was not enabled`, shortage);
      const why = err instanceof Error ? err.message : 'unknown error';
      throw invalid(`audit device "${device.path}" could not record its test entry, so it was not enabled: ${why}`, 'audit_test_entry_failed');
    }
  }

  function checkPathFree(path: string): void {
    const existing = enabled.get(path);
    if (existing?.source === 'config') {
      throw invalid(`audit device "${path}" is declared in the server configuration and cannot be changed through the API`, 'audit_device_from_config');
    }
    if (existing) throw invalid(`path "${path}" is already in use by an audit device`, 'audit_path_in_use');
    for (const other of enabled.keys()) {
      if (pathsOverlap(path, other)) throw invalid(`path "${path}" overlaps the audit device at "${other}"`, 'audit_path_overlap');
    }
  }

  /** The API cannot take the path of a declared device that could not be enabled (nor one under it). */
  function checkNotDeclared(path: string): void {
    if (unopened.has(path)) {
      throw invalid(`audit device "${path}" is declared in the server configuration (it could not be enabled) and cannot be enabled through the API`, 'audit_device_from_config');
    }
    for (const other of unopened) {
      if (pathsOverlap(path, other)) throw invalid(`path "${path}" overlaps the audit device at "${other}"`, 'audit_path_overlap');
    }
  }

  /**
   * Closes a device's sink, waiting at most the block timeout: a blocked sink (a SIEM that never
   * answers) must not hold up disable, seal or shutdown. Whatever it still holds was already
   * counted as failed by the broker after the same timeout, so nothing acknowledged is lost. Once
   * closed, what its connections lost (closing abandons a backlogged one) stays counted at its path.
   */
  async function closeQuietly(device: AuditDevice | undefined): Promise<void> {
    if (!device) return;
    const closed = device.sink.close().catch((err: unknown) => {
      deps.log.warn({ device: device.path, reason: err instanceof Error ? err.message : 'unknown' }, 'audit device did not close cleanly');
    }).finally(() => broker.retire(device));
    if (!(await withinBlockTimeout(closed, false))) deps.log.warn({ device: device.path, limitMs: blockTimeoutMs }, 'audit device did not close within the block timeout; abandoning it');
  }

  /**
   * Waits for a sink's close or reopen at most the block timeout; false when it did not finish.
   * Both queue behind the sink's writes, so one stuck behind a write that never ends must not
   * hold audit management (enable, disable, seal) with it. `holdsProcess`: false lets a process
   * with nothing else to do end meanwhile (a close at shutdown).
   */
  async function withinBlockTimeout(op: Promise<void>, holdsProcess = true): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), blockTimeoutMs);
      if (!holdsProcess) timer.unref();
    });
    const finished = await Promise.race([op.then(() => true), timedOut]);
    clearTimeout(timer);
    return finished;
  }

  /** A device built and probed for `path`: keeping the salt `salts` has for it when the type is the same. */
  async function opened(path: string, req: EnableRequest, salts?: ConfigSalts): Promise<{ def: DeviceDefinition; device: AuditDevice }> {
    const previous = salts?.[path];
    const def: DeviceDefinition = {
      path, type: req.type, description: req.description ?? '', options: { ...(req.options ?? {}) }, local: req.local === true,
      salt: previous && previous.type === req.type ? previous.salt : uuid(),
    };
    const device = await build(def);
    await probe(device);
    return { def, device };
  }

  async function enableLocked(rawPath: string, req: EnableRequest, source: DeviceSource, salts?: ConfigSalts): Promise<void> {
    const path = normaliseAuditPath(rawPath);
    if (source === 'api' && !deps.settings.allowApiAuditCreation) {
      // CVE-2025-6000: an API caller who can create a file device chooses a path the server
      // writes to. Creating devices through the API is an operator opt-in.
      throw new SealtrailError('permission', 'audit_api_creation_disabled',
        'audit devices cannot be enabled through the API unless the server setting allow_api_audit_creation is enabled; ' +
        'declare the device in the server configuration file instead');
    }
    if (typeof req.type !== 'string' || req.type === '') throw invalid('"type" is required', 'invalid_audit_type');
    if (source === 'api' && req.type === JOURNAL_DEVICE_TYPE) {
      throw invalid('the journal is declared by the server configuration (journal { ... }), not through the API', 'audit_device_from_config');
    }
    checkPathFree(path);
    if (source === 'api') checkNotDeclared(path);
    const { def, device } = await opened(path, req, salts);
    try {
      if (source === 'api') {
        const apiDefs = [...enabled.values()].filter((e) => e.source === 'api').map((e) => e.def);
        await writeTable(deps.storage, [...apiDefs, def]);
      } else if (salts) {
        salts[path] = { type: def.type, salt: def.salt };
      }
    } catch (err) {
      await closeQuietly(device);
      throw err;
    }
    enabled.set(path, { def, source });
    broker.add(device);
  }

  async function removeLocked(path: string): Promise<void> {
    enabled.delete(path);
    await closeQuietly(broker.remove(path));
  }

  /**
   * Stops the device receiving entries, then calls `detached`; the removal is committed (persisted,
   * sink closed) when the request's response entry was recorded, or at once when no device remains
   * to record it (as in Vault, disabling the last device is allowed).
   */
  async function disableLocked(rawPath: string, requestId: string | undefined, detached: () => void): Promise<void> {
    const path = normaliseAuditPath(rawPath);
    const existing = enabled.get(path);
    if (!existing) return detached();
    if (existing.source === 'config') {
      throw invalid(`audit device "${path}" is declared in the server configuration and cannot be disabled through the API`, 'audit_device_from_config');
    }
    const device = broker.remove(path)!;
    const commit = async () => {
      const rest = [...enabled.values()].filter((e) => e.source === 'api' && e.def.path !== path).map((e) => e.def);
      await writeTable(deps.storage, rest);
      enabled.delete(path);
      await closeQuietly(device);
    };
    if (requestId === undefined || !broker.enabled) {
      try {
        await commit();
      } catch (err) {
        broker.add(device);
        throw err;
      }
      return detached();
    }
    const limitMs = 2 * (deps.settings.blockTimeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS) + PENDING_REMOVAL_MARGIN_MS;
    const settled = removals.hold(requestId, { commit, rollback: () => broker.add(device) }, limitMs);
    detached();
    await settled;
  }

  async function applyConfigLocked(list: readonly ConfigDeviceDeclaration[]): Promise<void> {
    const desired = new Map<string, ConfigDeviceDeclaration>();
    for (const d of list) {
      const path = normaliseAuditPath(d.path);
      if (desired.has(path)) throw invalid(`audit device "${path}" is declared twice in the configuration`, 'audit_path_in_use');
      desired.set(path, d);
    }
    const stored = await readConfigSalts(deps.storage);
    const salts: ConfigSalts = {};
    const errors: Array<{ device: string; error: unknown }> = [];
    for (const [path, e] of [...enabled]) {
      if (e.source !== 'config') continue;
      const want = desired.get(path);
      const keep = want && sameDeclaration(e.def, {
        path, type: want.type, description: want.description ?? '', options: want.options ?? {}, local: want.local === true,
      });
      const current = { type: e.def.type, salt: e.def.salt };
      if (keep) {
        salts[path] = current;
        desired.delete(path);
      } else if (want) {
        // A changed device: its replacement is opened first, with the same salt, and takes its
        // place only once it has; until then (and if it cannot open) the device goes on as it was,
        // so a bad reload never ends a trail that was working, nor loses its salt.
        desired.delete(path);
        try {
          const next = await opened(path, want, { [path]: current });
          const old = broker.remove(path);
          enabled.set(path, { def: next.def, source: 'config' });
          broker.add(next.device);
          await closeQuietly(old);
          salts[path] = { type: next.def.type, salt: next.def.salt };
        } catch (err) {
          salts[path] = current;
          errors.push({ device: path, error: err });
        }
      } else {
        await removeLocked(path);
      }
    }
    const missed = new Map<string, { required: boolean; reason: string }>();
    const saltsKept = await keepNewSalts(stored, salts, desired);
    for (const [path, d] of desired) {
      const candidate: ConfigSalts = { [path]: saltsKept.salts[path] };
      try {
        if (saltsKept.error !== undefined) throw saltsKept.error;
        await enableLocked(path, d, 'config', candidate);
        salts[path] = candidate[path];
      } catch (err) {
        // Declared but not open: its salt is kept for when it opens.
        if (stored[path]) salts[path] = stored[path];
        errors.push({ device: path, error: err });
        missed.set(path, { required: declaredRequired(d), reason: failureReason(err) });
      }
    }
    // Fail closed, as `required` promises: a required device that is declared but could not be
    // enabled refuses every request (broker.missing) until a later apply enables it or drops it.
    // Only a caller that keeps this manager after the failure (SIGHUP) serves requests meanwhile.
    for (const path of unopened) if (!missed.get(path)?.required) broker.found(path);
    for (const [path, m] of missed) if (m.required) broker.missing(path, m.reason);
    unopened = new Set(missed.keys());
    await writeConfigSalts(deps.storage, salts);
    if (errors.length > 0) throw new ConfigDevicesNotEnabled(errors);
  }

  /**
   * Stores the salts of the devices about to be enabled before any of them records an entry: an
   * entry hashed under a salt the storage never kept could not be matched by audit-hash after a
   * restart, which would make a new salt. A device keeps a stored salt of its type.
   */
  async function keepNewSalts(stored: ConfigSalts, kept: ConfigSalts, added: ReadonlyMap<string, ConfigDeviceDeclaration>): Promise<{ salts: ConfigSalts; error?: unknown }> {
    const salts: ConfigSalts = {};
    for (const [path, d] of added) salts[path] = stored[path]?.type === d.type ? stored[path] : { type: d.type, salt: uuid() };
    if (added.size === 0) return { salts };
    try {
      await writeConfigSalts(deps.storage, { ...stored, ...kept, ...salts });
      return { salts };
    } catch (error) {
      return { salts, error };
    }
  }

  async function loadLocked(): Promise<void> {
    await headerConfig.load();
    for (const def of await readTable(deps.storage)) {
      if (enabled.has(def.path)) continue;
      try {
        broker.add(await build(def));
        enabled.set(def.path, { def, source: 'api' });
      } catch (err) {
        // Fail closed: the server must not run with fewer audit devices than it had.
        throw new SealtrailError('internal', 'audit_device_load_failed', `audit device "${def.path}" could not be restored`, { cause: err });
      }
    }
  }

  return {
    hooks: removals.hooks,
    enable: (path, req, ctx) => exclusive(async () => {
      if (ctx.source === 'api') return enableLocked(path, req, 'api');
      const stored = await readConfigSalts(deps.storage);
      const p = normaliseAuditPath(path);
      const candidate: ConfigSalts = { [p]: stored[p] };
      await enableLocked(p, req, 'config', candidate);
      await writeConfigSalts(deps.storage, { ...stored, ...candidate });
    }),
    disable: (path, ctx) => new Promise<void>((resolve, reject) => {
      // The handler waits only until the device is detached; management stays locked until the
      // removal is committed or rolled back.
      exclusive(() => disableLocked(path, ctx?.requestId, resolve)).catch(reject);
    }),
    list: () => [...enabled.values()]
      .map(({ def, source }) => {
        const sink = broker.get(def.path)?.sink;
        const state = broker.state(def.path);
        return {
          path: def.path, type: def.type, description: def.description, options: { ...def.options }, local: def.local, source,
          delivery: sink?.delivery ?? 'sent',
          ...(sink?.deliveryNote ? { deliveryNote: sink.deliveryNote } : {}),
          failing: state?.failing ?? false,
          ...(state?.losses ? { losses: state.losses } : {}),
        };
      })
      .sort((a, b) => (a.path < b.path ? -1 : 1)),
    hash(path, input) {
      const device = broker.get(normaliseAuditPath(path));
      if (!device) throw invalid(`no audit device is enabled at "${normaliseAuditPath(path)}"`, 'unknown_audit_device');
      return device.hash(input);
    },
    applyConfigDevices: (list) => exclusive(() => applyConfigLocked(list)),
    reopenAll: () => exclusive(async () => {
      await Promise.all(broker.devices().map(async (d) => {
        const reopened = d.sink.reopen().catch((err: unknown) => {
          deps.log.warn({ device: d.path, reason: err instanceof Error ? err.message : 'unknown' }, 'audit device could not be reopened');
        });
        // Still queued behind a write that has not finished: it happens when that write does.
        if (!(await withinBlockTimeout(reopened))) deps.log.warn({ device: d.path, limitMs: blockTimeoutMs }, 'audit device not reopened within the block timeout: it is still writing an earlier batch');
      }));
    }),
    load: () => exclusive(loadLocked),
    close: () => {
      // At once, not after the management queue: requests in flight fail from here on.
      broker.close();
      return exclusive(async () => {
        await Promise.all([...enabled.keys()].map((p) => removeLocked(p)));
      });
    },
    metricsText: () => broker.metricsText(),
    health: () => broker.health(),
    requestHeaders: {
      set: (name, setting) => exclusive(() => headerConfig.set(name, setting)),
      get: (name) => headerConfig.get(name),
      list: () => headerConfig.list(),
      delete: (name) => exclusive(() => headerConfig.delete(name)),
    },
  };
}
