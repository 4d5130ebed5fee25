/**
 * The audit devices' counters from sys/metrics (Prometheus text): writes by device and result.
 * Only `sealtrail_audit_device_writes_total` samples are read; other lines are skipped.
 */
export type DeviceCounters = Record<string, Record<string, number>>;

const SAMPLE = /^sealtrail_audit_device_writes_total\{path="((?:[^"\\]|\\.)*)",result="([a-z_]+)"\} (\d+(?:\.\d+)?(?:e\+?\d+)?)$/;

export function auditWriteCounters(text: string): DeviceCounters {
  const out: DeviceCounters = {};
  for (const line of text.split('\n')) {
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const path = m[1].replace(/\\(.)/g, (_all, c: string) => (c === 'n' ? '\n' : c));
    (out[path] ??= {})[m[2]] = Number(m[3]);
  }
  return out;
}
