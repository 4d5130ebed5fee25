/** How sys/audit and sys/health show what a network audit device's lost connections took. */
import type { DeliveryLosses } from '../audit/index.js';

export function lostEntriesView(l: DeliveryLosses): Record<string, number> {
  return {
    connections: l.connections,
    abandoned_entries: l.abandonedEntries,
    abandoned_bytes: l.abandonedBytes,
    possibly_lost_entries: l.possiblyLostEntries,
    possibly_lost_bytes: l.possiblyLostBytes,
  };
}
