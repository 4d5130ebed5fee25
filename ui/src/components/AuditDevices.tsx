import type { DeviceCounters } from '../lib/metrics';

export type Devices = Record<string, { type: string; description: string; delivery?: string; failing?: boolean; lost_entries?: unknown }>;

/** The audit devices: type, health (failing or not), what success proves, writes by result. */
export function AuditDevices({ devices, counters }: { devices?: Devices; counters: DeviceCounters }) {
  if (!devices) return <section><h2>Audit devices</h2><p>Loading…</p></section>;
  return (
    <section>
      <h2>Audit devices</h2>
      <table>
        <thead><tr><th>path</th><th>type</th><th>health</th><th>delivery</th><th>writes</th></tr></thead>
        <tbody>
          {Object.entries(devices).map(([path, d]) => (
            <tr key={path}>
              <td>{path}</td>
              <td>{d.type}</td>
              <td className={d.failing ? 'outcome-failure' : 'outcome-success'}>{d.failing ? 'failing' : 'healthy'}{d.lost_entries ? ' (entries lost)' : ''}</td>
              <td>{d.delivery ?? ''}</td>
              <td>{Object.entries(counters[path] ?? {}).map(([result, n]) => `${result} ${n}`).join(' · ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
