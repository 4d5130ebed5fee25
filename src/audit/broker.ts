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
 * - A device's failure episode logs one warn line (first failure after a success) and one info
 *   line when it recovers. Log lines name the device, never the entry's contents.
 */
import { SealtrailError } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import type { AuditDevice, AuditedHeaders } from './device.js';
import type { SinkContext } from './devices/types.js';
import type { EntryKind } from './entry.js';
import { createDeviceStats, observeLatency, renderMetrics, type DeviceStats } from './metrics.js';
import type { AuditHooks, AuditInput } from './model.js';

export const DEFAULT_BLOCK_TIMEOUT_MS = 10_000;

export interface AuditBrokerDeps {
  clock: Clock;
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

  async function write(device: AuditDevice, input: AuditInput, kind: EntryKind, headers?: AuditedHeaders): Promise<Outcome> {
    const started = deps.clock.nowNs();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, timedOut: true }), timeoutMs);
    });
    const written = device.process(input, kind, headers).then(
      (): Outcome => ({ ok: true }),
      (error: unknown): Outcome => ({ ok: false, timedOut: false, error }),
    );
    const outcome = await Promise.race([written, timeout]);
    clearTimeout(timer);
    record(device.path, outcome, Number(deps.clock.nowNs() - started) / 1e9);
    return outcome;
  }

  function record(path: string, outcome: Outcome, seconds: number): void {
    if (!devices.has(path)) return; // disabled while the write was in flight
    const s = statsOf(path);
    if (outcome.ok) {
      s.counts.success++;
      observeLatency(s, seconds);
      if (s.failing) {
        s.failing = false;
        deps.log.info({ device: path }, 'audit device recovered: entries are being recorded again');
      }
      return;
    }
    if (outcome.timedOut) s.counts.timeout++;
    else {
      s.counts.failure++;
      observeLatency(s, seconds);
    }
    if (!s.failing) {
      s.failing = true;
      const reason = outcome.timedOut ? `no answer within ${timeoutMs}ms` : describeError(outcome.error);
      deps.log.warn({ device: path, reason }, 'audit device failed to record an entry');
    }
  }

  async function logEntry(input: AuditInput, kind: EntryKind): Promise<void> {
    if (devices.size === 0) return;
    const all = [...devices.values()];
    let targets: AuditDevice[] = [];
    let fallback: AuditDevice | undefined;
    for (const d of all) {
      if (d.config.fallback) fallback = d;
      else if (d.accepts(input)) targets.push(d);
      else statsOf(d.path).counts.filtered++;
    }
    if (targets.length === 0) {
      if (!fallback) return; // every device filtered it out: not an audit failure
      targets = [fallback];
    }
    const headers = deps.headers?.(input);
    const outcomes = await Promise.all(targets.map((d) => write(d, input, kind, headers)));
    if (!outcomes.some((o) => o.ok)) {
      unrecorded++;
      throw new SealtrailError('internal', 'audit_not_recorded', `no audit device recorded the ${kind} entry`);
    }
  }

  return {
    get enabled() { return devices.size > 0; },
    logRequest: (input) => logEntry(input, 'request'),
    logResponse: (input) => logEntry(input, 'response'),
    add(device) {
      devices.set(device.path, device);
      stats.set(device.path, createDeviceStats());
    },
    remove(path) {
      const d = devices.get(path);
      devices.delete(path);
      stats.delete(path);
      return d;
    },
    get: (path) => devices.get(path),
    devices: () => [...devices.values()],
    async writeTo(device, input, kind) {
      const outcome = await write(device, input, kind, deps.headers?.(input));
      if (!outcome.ok) {
        throw outcome.timedOut ? new Error(`the device did not answer within ${timeoutMs}ms`) : outcome.error;
      }
    },
    metricsText: () => renderMetrics(stats, unrecorded),
    health: () => ({ failingDevices: [...stats.entries()].filter(([, s]) => s.failing).map(([p]) => p).sort() }),
  };
}
