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
 *   the entry; otherwise it rejects with an 'internal' SealtrailError and the core answers 500.
 *   One exception keeps a blocked device from holding every request for the timeout, twice each
 *   (request and response entry): a device in a failure episode is not waited for once another
 *   device recorded the entry. It still gets the line, in order, and its outcome is still counted;
 *   once it records again it is waited for again.
 * - Entries handed to the same batch of every device in one turn of the event loop share that
 *   outcome, so they are settled as one group: one wait per device and one promise, however many
 *   entries.
 * - A device's failure episode logs one warn line (first failure after a success) and one info
 *   line when it recovers. Log lines name the device, never the entry's contents.
 */
import { SealtrailError } from '../errors/index.js';
import type { AuditDevice, AuditedHeaders } from './device.js';
import type { SinkContext } from './devices/types.js';
import type { EntryKind } from './entry.js';
import { createDeviceStats, observeLatency, renderMetrics, type DeviceStats } from './metrics.js';
import type { AuditHooks, AuditInput } from './model.js';

export const DEFAULT_BLOCK_TIMEOUT_MS = 10_000;

export interface AuditBrokerDeps {
  log: SinkContext['log'];
  /** Bound on one device write (default 10s). */
  timeoutMs?: number;
  /** Audited request headers for an entry (config of sys/config/auditing/request-headers). */
  headers?: (input: AuditInput) => AuditedHeaders;
}

export interface AuditBroker extends AuditHooks {
  /** Adds a device (replacing one at the same path). */
  add(device: AuditDevice): void;
  remove(path: string): AuditDevice | undefined;
  get(path: string): AuditDevice | undefined;
  devices(): AuditDevice[];
  /** Writes one entry to one device with the timeout, filters bypassed; rejects on failure. */
  writeTo(device: AuditDevice, input: AuditInput, kind: EntryKind): Promise<void>;
  metricsText(): string;
  health(): { failingDevices: string[] };
}

type Outcome = { ok: true } | { ok: false; timedOut: boolean; error?: unknown };

const RECORDED: Outcome = { ok: true };
const TIMED_OUT: Outcome = { ok: false, timedOut: true };
const NOTHING_TO_DO: Promise<void> = Promise.resolve();

/** A device write in flight. */
interface Pending {
  /** performance.now() after which it counts as timed out. */
  readonly deadline: number;
  settled: boolean;
  settle(outcome: Outcome): void;
}

interface Deadlines {
  add(write: Pending): void;
  /** Drops settled writes from the front. */
  prune(): void;
}

/**
 * Times out one device's writes without a timer per write. Every write gets the same timeout, so
 * the oldest unsettled write always expires first: writes are kept in start order, settled ones
 * are dropped from the front, and one timer is armed for the front's deadline, re-armed each time
 * it fires while writes remain. The timer holds the process open only while writes are pending.
 */
function createDeadlines(timeoutMs: number): Deadlines {
  const queue: Pending[] = [];
  let head = 0;
  let timer: NodeJS.Timeout | undefined;

  function prune(): void {
    while (head < queue.length && queue[head].settled) head++;
    if (head === queue.length) {
      queue.length = 0;
      head = 0;
      timer?.unref();
    } else if (head >= 1024 && head * 2 >= queue.length) {
      queue.splice(0, head);
      head = 0;
    }
  }

  function arm(ms: number): void {
    timer = setTimeout(expire, Math.max(1, Math.ceil(ms)));
  }

  function expire(): void {
    timer = undefined;
    const now = performance.now();
    while (head < queue.length) {
      const oldest = queue[head];
      if (!oldest.settled && oldest.deadline > now) break;
      oldest.settle(TIMED_OUT); // a no-op if it settled meanwhile
      prune();
    }
    if (head < queue.length) arm(queue[head].deadline - now);
  }

  return {
    add(write) {
      queue.push(write);
      if (!timer) arm(timeoutMs);
      else if (queue.length === 1) timer.ref();
    },
    prune,
  };
}

/** A short, content-free description of a sink error for the server log. */
function describeError(err: unknown): string {
  if (err instanceof Error) return ((err as { code?: string }).code ? `${(err as { code?: string }).code}: ` : '') + err.message.slice(0, 200);
  return 'unknown error';
}

export function createAuditBroker(deps: AuditBrokerDeps): AuditBroker {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_BLOCK_TIMEOUT_MS;
  const devices = new Map<string, AuditDevice>();
  const stats = new Map<string, DeviceStats>();
  let unrecorded = 0;

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
        record(device.path, outcome, (performance.now() - started) / 1000, entries());
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

  function record(path: string, outcome: Outcome, seconds: number, entries: number): void {
    if (!devices.has(path)) return; // disabled while the write was in flight
    const s = statsOf(path);
    if (outcome.ok) {
      s.counts.success += entries;
      observeLatency(s, seconds, entries);
      if (s.failing) {
        s.failing = false;
        deps.log.info({ device: path }, 'audit device recovered: entries are being recorded again');
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
    // Settles when every targeted device answered (or timed out), or when one recorded the entry
    // and only failing devices are left: recorded if any one did.
    let waiting = targets.length;
    let recorded = false;
    let finished = false;
    const answered: boolean[] = new Array<boolean>(targets.length).fill(false);
    const entries = () => group.entries;
    const onlyFailingLeft = () => targets.every((d, i) => answered[i] || stats.get(d.path)?.failing === true);
    const done = (i: number, outcome: Outcome) => {
      answered[i] = true;
      waiting--;
      if (outcome.ok) recorded = true;
      if (finished || (waiting > 0 && !(recorded && onlyFailingLeft()))) return;
      finished = true;
      if (lastGroup === group) lastGroup = undefined;
      if (recorded) return resolve();
      unrecorded += group.entries;
      reject(new SealtrailError('internal', 'audit_not_recorded', `no audit device recorded the ${kind} entry`));
    };
    for (let i = 0; i < targets.length; i++) watch(targets[i], batches[i], started, entries, (outcome) => done(i, outcome));
    process.nextTick(closeGroup);
    return group;
  }

  /** Every device, when none has a filter or is the fallback: then each entry goes to all. */
  let unrouted: readonly AuditDevice[] | undefined;
  function devicesChanged(): void {
    const all = [...devices.values()];
    unrouted = all.every((d) => !d.config.fallback && !d.config.filter) ? all : undefined;
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
    get enabled() { return devices.size > 0; },
    logRequest: (input) => logEntry(input, 'request'),
    logResponse: (input) => logEntry(input, 'response'),
    add(device) {
      devices.set(device.path, device);
      stats.set(device.path, createDeviceStats());
      devicesChanged();
    },
    remove(path) {
      const d = devices.get(path);
      devices.delete(path);
      stats.delete(path);
      devicesChanged();
      return d;
    },
    get: (path) => devices.get(path),
    devices: () => [...devices.values()],
    writeTo(device, input, kind) {
      const started = performance.now();
      const written = handTo(device, input, kind, deps.headers?.(input));
      return new Promise((resolve, reject) => watch(device, written, started, () => 1, (outcome) => {
        if (outcome.ok) resolve();
        else reject(outcome.timedOut ? new Error(`the device did not answer within ${timeoutMs}ms`) : outcome.error);
      }));
    },
    metricsText: () => renderMetrics(stats, unrecorded),
    health: () => ({ failingDevices: [...stats.entries()].filter(([, s]) => s.failing).map(([p]) => p).sort() }),
  };
}
