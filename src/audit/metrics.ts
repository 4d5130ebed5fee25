/**
 * Per-device audit counters and write latencies, rendered in the Prometheus text format for
 * `sys/metrics`. Results are exclusive: each entry offered to a device ends as exactly one of
 * success, failure (the sink rejected), timeout (the sink did not answer in time) or filtered.
 */
import type { DeliveryLosses } from './devices/types.js';

export type WriteResult = 'success' | 'failure' | 'timeout' | 'filtered';

/** Upper bounds (seconds) of the latency histogram buckets. */
export const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export interface DeviceStats {
  counts: Record<WriteResult, number>;
  /** Non-cumulative counts per bucket; the last slot is +Inf. */
  buckets: number[];
  latencySum: number;
  latencyCount: number;
  /** In a failure episode (last write failed or timed out). */
  failing: boolean;
}

export function createDeviceStats(): DeviceStats {
  return {
    counts: { success: 0, failure: 0, timeout: 0, filtered: 0 },
    buckets: new Array<number>(LATENCY_BUCKETS.length + 1).fill(0),
    latencySum: 0,
    latencyCount: 0,
    failing: false,
  };
}

/** Records `count` writes (entries of one batch) that each took `seconds`. */
export function observeLatency(stats: DeviceStats, seconds: number, count = 1): void {
  let i = 0;
  while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]) i++;
  stats.buckets[i] += count;
  stats.latencySum += seconds * count;
  stats.latencyCount += count;
}

function label(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/** What the metrics show of one device. */
export interface DeviceView {
  stats: DeviceStats;
  delivery: 'confirmed' | 'sent';
  /** Network sinks only. */
  losses?: DeliveryLosses;
}

export interface BrokerTotals {
  /** Entries no device (that counts) recorded: the request failed. */
  unrecorded: number;
  /** Entries acknowledged on a `sent` device's success, no confirming device targeted. */
  unconfirmed: number;
  confirmingDevices: number;
}

const LOSS_SERIES: [string, string, keyof DeliveryLosses][] = [
  ['sealtrail_audit_device_connections_lost_total', 'Connections a network device lost with entries on them.', 'connections'],
  ['sealtrail_audit_device_abandoned_entries_total', 'Entries still in this process when their connection was lost: never sent (each had already failed or fails).', 'abandonedEntries'],
  ['sealtrail_audit_device_abandoned_bytes_total', 'Bytes of the abandoned entries.', 'abandonedBytes'],
  ['sealtrail_audit_device_possibly_lost_entries_total', 'Entries counted as sent that were within the kernel buffers of a lost connection: at most this many were lost.', 'possiblyLostEntries'],
  ['sealtrail_audit_device_possibly_lost_bytes_total', 'Bytes of the possibly lost entries.', 'possiblyLostBytes'],
];

/** Prometheus text exposition of every device's stats (devices in path order). */
export function renderMetrics(views: ReadonlyMap<string, DeviceView>, totals: BrokerTotals): string {
  const stats = new Map([...views].map(([p, v]) => [p, v.stats]));
  const paths = [...stats.keys()].sort();
  const lines: string[] = [
    '# HELP sealtrail_audit_device_writes_total Audit entries offered to each device, by result.',
    '# TYPE sealtrail_audit_device_writes_total counter',
  ];
  for (const p of paths) {
    for (const r of ['success', 'failure', 'timeout', 'filtered'] as const) {
      lines.push(`sealtrail_audit_device_writes_total{path="${label(p)}",result="${r}"} ${stats.get(p)!.counts[r]}`);
    }
  }
  lines.push(
    '# HELP sealtrail_audit_device_write_seconds Time for a device to accept an entry.',
    '# TYPE sealtrail_audit_device_write_seconds histogram',
  );
  for (const p of paths) {
    const s = stats.get(p)!;
    let cumulative = 0;
    LATENCY_BUCKETS.forEach((le, i) => {
      cumulative += s.buckets[i];
      lines.push(`sealtrail_audit_device_write_seconds_bucket{path="${label(p)}",le="${le}"} ${cumulative}`);
    });
    cumulative += s.buckets[LATENCY_BUCKETS.length];
    lines.push(`sealtrail_audit_device_write_seconds_bucket{path="${label(p)}",le="+Inf"} ${cumulative}`);
    lines.push(`sealtrail_audit_device_write_seconds_sum{path="${label(p)}"} ${s.latencySum}`);
    lines.push(`sealtrail_audit_device_write_seconds_count{path="${label(p)}"} ${s.latencyCount}`);
  }
  lines.push('# HELP sealtrail_audit_device_failing 1 while a device is in a failure episode.', '# TYPE sealtrail_audit_device_failing gauge');
  for (const p of paths) lines.push(`sealtrail_audit_device_failing{path="${label(p)}"} ${stats.get(p)!.failing ? 1 : 0}`);
  lines.push(
    '# HELP sealtrail_audit_device_delivery What a device\'s success proves: confirmed (the destination has the entry) or sent (handed to the kernel or network).',
    '# TYPE sealtrail_audit_device_delivery gauge',
  );
  for (const p of paths) lines.push(`sealtrail_audit_device_delivery{path="${label(p)}",delivery="${views.get(p)!.delivery}"} 1`);
  const lossy = paths.filter((p) => views.get(p)!.losses);
  for (const [name, help, key] of LOSS_SERIES) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`);
    for (const p of lossy) lines.push(`${name}{path="${label(p)}"} ${views.get(p)!.losses![key]}`);
  }
  lines.push(
    '# HELP sealtrail_audit_entries_unrecorded_total Entries no device recorded (the request failed).',
    '# TYPE sealtrail_audit_entries_unrecorded_total counter',
    `sealtrail_audit_entries_unrecorded_total ${totals.unrecorded}`,
    '# HELP sealtrail_audit_entries_unconfirmed_total Entries acknowledged on a sent device\'s success alone (no confirming device was to record them).',
    '# TYPE sealtrail_audit_entries_unconfirmed_total counter',
    `sealtrail_audit_entries_unconfirmed_total ${totals.unconfirmed}`,
    '# HELP sealtrail_audit_confirming_devices Enabled devices that confirm delivery (0 with devices enabled: nothing confirms).',
    '# TYPE sealtrail_audit_confirming_devices gauge',
    `sealtrail_audit_confirming_devices ${totals.confirmingDevices}`,
  );
  return lines.join('\n') + '\n';
}
