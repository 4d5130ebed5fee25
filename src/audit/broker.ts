/**
 * The audit broker: fans each entry out to every enabled device at once and decides, fail-closed,
 * whether it was recorded.
 *
 * - Devices whose filter excludes the entry are skipped (counted as `filtered`). If every device
 *   skipped it, the fallback device (at most one) receives it; with no fallback, the entry is
 *   legitimately not recorded and the call succeeds, as in Vault.
 * - Each device write is bounded by `timeoutMs`: a device that blocks counts as failed after it
 *   (its sink keeps the line queued, in order, ahead of later lines).
 * - The call resolves once every targeted device settled, and succeeds iff at least one recorded
 *   the entry and every `required` target did (the journal is required by default); otherwise it rejects with an 'internal' SealtrailError and the core answers 500.
 *   What counts as recorded depends on what a device's success proves (`AuditSink.delivery`):
 *   when any device the entry goes to confirms delivery (file, http, relp), only a confirming
 *   device's success counts — a `sent` device (socket, syslog) has handed bytes to the kernel and
 *   may still lose them. Only an entry that no confirming device was to receive (none enabled, or
 *   filtered out) is acknowledged on a `sent` success, and those entries are counted
 *   (`sealtrail_audit_entries_unconfirmed_total`). A configuration with no confirming device
 *   is logged (warn) and shown by health.
 * - A blocked device must not hold every request for the timeout, twice each (request and
 *   response entry): a device in a failure episode is not waited for once another device has
 *   recorded the entry (in the sense above). It still gets the line, in order, and its outcome is
 *   still counted; once it records again it is waited for again.
 * - Entries handed to the same batch of every device in one turn of the event loop share that
 *   outcome, so they are settled as one group: one wait per device and one promise, however many
 *   entries.
 * - A device's failure episode logs one warn line (first failure after a success) and one info
 *   line when it recovers. Log lines name the device, never the entry's contents.
 * - Once closed (the server seals, stops or stands by), every entry fails: requests still in
 *   flight then hold services whose devices are being closed, and an empty device list must not
 *   read as "no device enabled", which records nothing and succeeds.
 * - A required device the configuration declares that could not be enabled (a SIGHUP that could
 *   not open it) is `missing`: while it is, every entry fails after the enabled devices had it, as
 *   when a required device fails its write, and health and metrics count it failing.
 */
import { SealtrailError } from '../errors/index.js';
import type { AuditDevice, AuditedHeaders } from './device.js';
import type { DeliveryLosses, SinkContext } from './devices/types.js';
import type { EntryKind } from './entry.js';
import { createDeviceStats, observeLatency, renderMetrics, type DeviceStats, type DeviceView } from './metrics.js';
import type { AuditHooks, AuditInput } from './model.js';
import { createDeadlines, RECORDED, type Deadlines, type Outcome, type Pending } from './deadlines.js';

export const DEFAULT_BLOCK_TIMEOUT_MS = 10_000;

export interface AuditBrokerDeps {
  log: SinkContext['log'];
  /** Bound on one device write (default 10s). */
  timeoutMs?: number;
  /** Audited request headers for an entry (config of sys/config/auditing/request-headers). */
  headers?: (input: AuditInput) => AuditedHeaders;
  /** Told when a device starts failing (with a content-free reason) and when it recovers. */
  onEpisode?: (device: string, failing: boolean, reason?: string) => void;
}

export interface AuditBroker extends AuditHooks {
  /** Adds a device (replacing one at the same path). */
  add(device: AuditDevice): void;
  remove(path: string): AuditDevice | undefined;
  /**
   * Called once a removed device's sink is closed: what its connections lost (closing can abandon
   * one) is carried over to its path, so the counts survive the device's replacement there.
   */
  retire(device: AuditDevice): void;
  get(path: string): AuditDevice | undefined;
  devices(): AuditDevice[];
  /**
   * Writes one entry to one device with the timeout, filters bypassed; rejects on failure. A device
   * not (yet) added (an enable's test entry) is not counted: the device enabled at its path, if
   * any, keeps its health, metrics and failure episode.
   */
  writeTo(device: AuditDevice, input: AuditInput, kind: EntryKind): Promise<void>;
  metricsText(): string;
  health(): AuditHealth;
  /** One device's failure state and, for network devices, what its lost connections took. */
  state(path: string): { failing: boolean; losses?: DeliveryLosses } | undefined;
  /**
   * Marks a required device the configuration declares but that could not be enabled: until a
   * device is added at `path` or `found(path)` is called, every entry fails. `reason` is
   * content-free (it goes to the log and the journal).
   */
  missing(path: string, reason: string): void;
  /** `path` is no longer declared or no longer required: entries no longer fail for it. */
  found(path: string): void;
  /** From now on every entry fails (devices are removed and closed after this). */
  close(): void;
}

const NOTHING_TO_DO: Promise<void> = Promise.resolve();

export const NO_CONFIRMING_DEVICE = 'no enabled audit device confirms delivery: entries are acknowledged once sent (handed to the kernel or the network) and can be lost without the request failing';

export interface AuditHealth {
  /** Devices whose last write failed. */
  failingDevices: string[];
  /** Devices that lost connections with entries on them (cumulative, across replacements at the path). */
  lossyDevices: Record<string, DeliveryLosses>;
  /** False when devices are enabled and none of them confirms delivery. */
  deliveryConfirmed: boolean;
  warnings: string[];
}

/** A short, content-free description of a sink error for the server log. */
function describeError(err: unknown): string {
  if (err instanceof Error) return ((err as { code?: string }).code ? `${(err as { code?: string }).code}: ` : '') + err.message.slice(0, 200);
  return 'unknown error';
}

const NO_LOSSES: DeliveryLosses = { connections: 0, abandonedEntries: 0, abandonedBytes: 0, possiblyLostEntries: 0, possiblyLostBytes: 0 };

function sumLosses(a: DeliveryLosses | undefined, b: DeliveryLosses | undefined): DeliveryLosses | undefined {
  if (!a || !b) return a ?? b;
  const out = { ...NO_LOSSES };
  for (const k of Object.keys(out) as (keyof DeliveryLosses)[]) out[k] = a[k] + b[k];
  return out;
}

export function createAuditBroker(deps: AuditBrokerDeps): AuditBroker {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS;
  const devices = new Map<string, AuditDevice>();
  const stats = new Map<string, DeviceStats>();
  /** What the earlier devices at a path lost with their connections (retire). */
  const carried = new Map<string, DeliveryLosses>();
  /** Devices added and not yet retired: only those carry their losses over, once. */
  const retirable = new WeakSet<AuditDevice>();
  let unrecorded = 0;
  let unconfirmed = 0;
  let closed = false;
  /** Required devices declared but not enabled: path → why. */
  const absent = new Map<string, string>();

  function statsOf(path: string): DeviceStats {
    let s = stats.get(path);
    if (!s) stats.set(path, (s = createDeviceStats()));
    return s;
  }

  /** Each device's writes still in flight, oldest first (see createDeadlines). */
  const deadlines = new WeakMap<AuditDevice, Deadlines>();
  function deadlinesOf(device: AuditDevice): Deadlines {
    let d = deadlines.get(device);
    if (!d) deadlines.set(device, (d = createDeadlines(timeoutMs)));
    return d;
  }

  /**
   * Waits for one device's write of `entries()` entries and calls `done` once with the outcome:
   * written, failed, or timed out (`started` + the timeout). The device's counters count each entry.
   */
  function watch(device: AuditDevice, written: Promise<void>, started: number, entries: () => number, done: (outcome: Outcome) => void): void {
    const queue = deadlinesOf(device);
    const pending: Pending = {
      deadline: started + timeoutMs,
      settled: false,
      settle(outcome) {
        if (pending.settled) return;
        pending.settled = true;
        queue.prune();
        record(device, outcome, (performance.now() - started) / 1000, entries());
        done(outcome);
      },
    };
    queue.add(pending);
    written.then(
      () => pending.settle(RECORDED),
      (error: unknown) => pending.settle({ ok: false, timedOut: false, error }),
    );
  }

  /** Hands the entry to the device; a formatting error becomes a failed write. */
  function handTo(device: AuditDevice, input: AuditInput, kind: EntryKind, headers: AuditedHeaders | undefined): Promise<void> {
    try {
      return device.process(input, kind, headers);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /**
   * Counts a write against its device while that device is the one enabled at its path: not once
   * it was disabled or replaced while the write was in flight, and not a replacement's test entry
   * (`writeTo` before `add`), whose outcome belongs to whoever tests it.
   */
  function record(device: AuditDevice, outcome: Outcome, seconds: number, entries: number): void {
    const path = device.path;
    if (devices.get(path) !== device) return;
    const s = statsOf(path);
    if (outcome.ok) {
      s.counts.success += entries;
      observeLatency(s, seconds, entries);
      if (s.failing) {
        s.failing = false;
        deps.log.info({ device: path }, 'audit device recovered: entries are being recorded again');
        deps.onEpisode?.(path, false);
      }
      return;
    }
    if (outcome.timedOut) s.counts.timeout += entries;
    else {
      s.counts.failure += entries;
      observeLatency(s, seconds, entries);
    }
    if (!s.failing) {
      s.failing = true;
      const reason = outcome.timedOut ? `no answer within ${timeoutMs}ms` : describeError(outcome.error);
      deps.log.warn({ device: path, reason }, 'audit device failed to record an entry');
      deps.onEpisode?.(path, true, reason);
    }
  }

  /**
   * Entries that went into the same batch of every device they target share one outcome: each
   * device's sink (line-queue.ts) answers a whole batch with one promise. So the entries handed to
   * the same batches in one turn of the event loop (until the next `process.nextTick` queue runs)
   * are settled together — one wait per device and one promise for the group, not per entry. The
   * group's timeout runs from its first entry: a later entry of the same turn, handed over
   * microseconds after it, cannot be released more than that turn's length early.
   */
  interface Group {
    readonly kind: EntryKind;
    readonly targets: readonly AuditDevice[];
    readonly batches: readonly Promise<void>[];
    readonly started: number;
    entries: number;
    readonly promise: Promise<void>;
  }
  let lastGroup: Group | undefined;
  const closeGroup = () => { lastGroup = undefined; };
  /** The batch promises of the entry being handed out (reused: copied only into a new group). */
  const handed: Promise<void>[] = [];

  function openGroup(kind: EntryKind, targets: readonly AuditDevice[], batches: readonly Promise<void>[], started: number): Group {
    let resolve!: () => void;
    let reject!: (err: Error) => void;
    const group: Group = { kind, targets, batches, started, entries: 1, promise: new Promise<void>((res, rej) => { resolve = res; reject = rej; }) };
    // Settles when every targeted device answered (or timed out), or when one that counts recorded
    // the entry and only failing devices are left: recorded if any one that counts did — a
    // confirming device, or any device when none of the targets confirms.
    let waiting = targets.length;
    let confirming = false;
    for (const t of targets) if (t.sink.delivery === 'confirmed') confirming = true;
    let recorded = false;
    let finished = false;
    // Required targets not yet recorded, and the first one that failed.
    let requiredLeft = 0;
    for (const t of targets) if (t.config.required) requiredLeft++;
    let requiredFailed: string | undefined;
    const answered: boolean[] = new Array<boolean>(targets.length).fill(false);
    const entries = () => group.entries;
    const onlyFailingLeft = () => targets.every((d, i) => answered[i] || stats.get(d.path)?.failing === true);
    const done = (i: number, outcome: Outcome) => {
      answered[i] = true;
      waiting--;
      if (targets[i].config.required) {
        if (outcome.ok) requiredLeft--;
        else requiredFailed ??= targets[i].path;
      }
      if (outcome.ok && (!confirming || targets[i].sink.delivery === 'confirmed')) recorded = true;
      if (finished) return;
      if (requiredFailed === undefined && waiting > 0 && !(recorded && requiredLeft === 0 && onlyFailingLeft())) return;
      finished = true;
      if (lastGroup === group) lastGroup = undefined;
      if (recorded && requiredFailed === undefined) {
        if (!confirming) unconfirmed += group.entries;
        return resolve();
      }
      unrecorded += group.entries;
      reject(new SealtrailError('internal', 'audit_not_recorded',
        requiredFailed !== undefined ? `the required audit device "${requiredFailed}" did not record the ${kind} entry`
          : confirming ? `no audit device that confirms delivery recorded the ${kind} entry` : `no audit device recorded the ${kind} entry`));
    };
    for (let i = 0; i < targets.length; i++) watch(targets[i], batches[i], started, entries, (outcome) => done(i, outcome));
    process.nextTick(closeGroup);
    return group;
  }

  /** Every device, when none has a filter or is the fallback: then each entry goes to all. */
  let unrouted: readonly AuditDevice[] | undefined;
  let deliveryConfirmed = true;
  function devicesChanged(): void {
    const all = [...devices.values()];
    unrouted = all.every((d) => !d.config.fallback && !d.config.filter) ? all : undefined;
    const confirmed = all.length === 0 || all.some((d) => d.sink.delivery === 'confirmed');
    if (confirmed === deliveryConfirmed) return;
    deliveryConfirmed = confirmed;
    if (!confirmed) deps.log.warn({ devices: all.map((d) => d.path).sort() }, NO_CONFIRMING_DEVICE);
    else if (all.length > 0) deps.log.info({}, 'an enabled audit device confirms delivery again');
  }

  /** A path's connection losses: its earlier devices' and the current one's. */
  function lossesAt(path: string): DeliveryLosses | undefined {
    return sumLosses(carried.get(path), devices.get(path)?.sink.losses?.());
  }

  function views(): Map<string, DeviceView> {
    const out = new Map<string, DeviceView>();
    for (const [path, s] of stats) {
      const sink = devices.get(path)?.sink;
      out.set(path, { stats: s, delivery: sink?.delivery ?? 'confirmed', losses: lossesAt(path) });
    }
    return out;
  }

  /** The devices an entry goes to (none: every device filtered it out and there is no fallback). */
  function route(input: AuditInput): readonly AuditDevice[] {
    if (unrouted) return unrouted;
    const targets: AuditDevice[] = [];
    let fallback: AuditDevice | undefined;
    for (const d of devices.values()) {
      if (d.config.fallback) fallback = d;
      else if (d.accepts(input)) targets.push(d);
      else statsOf(d.path).counts.filtered++;
    }
    return targets.length > 0 || !fallback ? targets : [fallback];
  }

  function logEntry(input: AuditInput, kind: EntryKind): Promise<void> {
    if (closed) {
      unrecorded++;
      return Promise.reject(new SealtrailError('internal', 'audit_not_recorded', `the audit devices are closed (the server is sealing or stopping): the ${kind} entry was not recorded`));
    }
    if (absent.size === 0) return deliver(input, kind);
    // The enabled devices still get the entry (the attempt is on record), but the request is refused.
    const [path] = absent.keys();
    return deliver(input, kind).then(() => {
      unrecorded++;
      throw new SealtrailError('internal', 'audit_not_recorded', `the required audit device "${path}" did not record the ${kind} entry: it could not be enabled`);
    });
  }

  /** Hands the entry to the devices it goes to; resolves once it counts as recorded. */
  function deliver(input: AuditInput, kind: EntryKind): Promise<void> {
    if (devices.size === 0) return NOTHING_TO_DO;
    const targets = route(input);
    if (targets.length === 0) return NOTHING_TO_DO; // every device filtered it out: not an audit failure
    const headers = deps.headers?.(input);
    const last = lastGroup;
    let joins = last !== undefined && last.kind === kind && last.targets.length === targets.length;
    for (let i = 0; i < targets.length; i++) {
      const batch = handTo(targets[i], input, kind, headers);
      handed[i] = batch;
      if (joins && (last!.targets[i] !== targets[i] || last!.batches[i] !== batch)) joins = false;
    }
    if (joins) {
      last!.entries++;
      return last!.promise;
    }
    lastGroup = openGroup(kind, targets, handed.slice(0, targets.length), performance.now());
    return lastGroup.promise;
  }

  return {
    get enabled() { return closed || devices.size > 0 || absent.size > 0; },
    logRequest: (input) => logEntry(input, 'request'),
    logResponse: (input) => logEntry(input, 'response'),
    add(device) {
      devices.set(device.path, device);
      retirable.add(device);
      stats.set(device.path, createDeviceStats());
      devicesChanged();
      if (absent.delete(device.path)) {
        deps.log.info({ device: device.path }, 'a required audit device that could not be enabled is enabled: requests are no longer refused for it');
        deps.onEpisode?.(device.path, false);
      }
    },
    remove(path) {
      const d = devices.get(path);
      devices.delete(path);
      stats.delete(path);
      devicesChanged();
      return d;
    },
    retire(device) {
      if (!retirable.has(device) || devices.get(device.path) === device) return;
      retirable.delete(device);
      const losses = device.sink.losses?.();
      if (losses && losses.connections > 0) carried.set(device.path, sumLosses(carried.get(device.path), losses)!);
    },
    get: (path) => devices.get(path),
    devices: () => [...devices.values()],
    close() { closed = true; },
    missing(path, reason) {
      if (devices.has(path)) return;
      const first = !absent.has(path);
      absent.set(path, reason);
      if (!first) return;
      stats.set(path, { ...createDeviceStats(), failing: true });
      deps.log.warn({ device: path, reason }, 'a required audit device the configuration declares could not be enabled: every request is refused until it is');
      deps.onEpisode?.(path, true, reason);
    },
    found(path) {
      if (!absent.delete(path)) return;
      if (!devices.has(path)) stats.delete(path);
      deps.log.info({ device: path }, 'a required audit device that could not be enabled is no longer declared required: requests are no longer refused for it');
      deps.onEpisode?.(path, false);
    },
    writeTo(device, input, kind) {
      const started = performance.now();
      const written = handTo(device, input, kind, deps.headers?.(input));
      return new Promise((resolve, reject) => watch(device, written, started, () => 1, (outcome) => {
        if (outcome.ok) resolve();
        else reject(outcome.timedOut ? new Error(`the device did not answer within ${timeoutMs}ms`) : outcome.error);
      }));
    },
    metricsText: () => renderMetrics(views(), { unrecorded, unconfirmed, confirmingDevices: [...devices.values()].filter((d) => d.sink.delivery === 'confirmed').length }),
    state(path) {
      const device = devices.get(path);
      if (!device) return undefined;
      const losses = lossesAt(path);
      return { failing: statsOf(path).failing, ...(losses ? { losses } : {}) };
    },
    health() {
      const lossyDevices: Record<string, DeliveryLosses> = {};
      for (const d of [...devices.values()].sort((a, b) => (a.path < b.path ? -1 : 1))) {
        const losses = lossesAt(d.path);
        if (losses && losses.connections > 0) lossyDevices[d.path] = losses;
      }
      return {
        failingDevices: [...stats.entries()].filter(([, s]) => s.failing).map(([p]) => p).sort(),
        lossyDevices,
        deliveryConfirmed,
        warnings: deliveryConfirmed ? [] : [NO_CONFIRMING_DEVICE],
      };
    },
  };
}
