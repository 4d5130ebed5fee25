/**
 * Server events in the journal: start and stop, seal and unseal, reloads, audit device failure
 * episodes. They happen outside any request, so nothing waits on them: a failed append is
 * reported to the caller's logger, and the journal device's own failure episode shows in metrics
 * and health even when the journal cannot hold its record.
 */
import type { Clock } from '../lib/clock.js';
import { rfc3339Nano } from '../lib/time.js';
import type { JournalWriter } from './types.js';

export type ServerEventName = 'start' | 'stop' | 'unseal' | 'seal' | 'reload' | 'audit_device_failing' | 'audit_device_recovered'
  | 'journal_indexer_failing' | 'journal_indexer_recovered' | 'ledger_failing' | 'ledger_recovered'
  | 'event_store_failing' | 'event_store_recovered';

type Details = Readonly<Record<string, string | number | boolean>>;

export interface ServerEvents {
  /** `outcome` defaults to failure for the start of a failure episode (`…_failing`) and success otherwise. */
  record(event: ServerEventName, details?: Details, outcome?: 'success' | 'failure'): void;
}

export function serverEvents(journal: JournalWriter | undefined, clock: Clock, onError: (err: unknown) => void): ServerEvents {
  return {
    record(event, details = {}, outcome = event.endsWith('_failing') ? 'failure' : 'success') {
      if (!journal) return;
      const timeNs = clock.nowNs();
      journal.append({
        kind: 'server',
        timeNs,
        text: JSON.stringify({ time: rfc3339Nano(timeNs), type: 'server', event, details }),
        keys: { operation: event, outcome },
      }).catch(onError);
    },
  };
}
