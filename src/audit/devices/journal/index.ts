/**
 * The journal as an audit device (type `journal`, declared by the server configuration's
 * `journal { }` section, never through the API): each entry's line, formatted with the device's
 * own salt, goes into the journal with the entry's facts as its keys (an entry over the journal's
 * record limit goes in reduced, marked `elided`, as a network device sends one). A write resolves once the
 * commit holding it is durable, so the device confirms delivery; it is required by default.
 */
import { fitsInJournalRecord, type JournalAppend, type JournalStore } from '../../../journal/index.js';
import type { AuditSink, EntryFacts, SinkFactory } from '../types.js';

export const JOURNAL_DEVICE_TYPE = 'journal';

/** The journal record of a formatted entry (its trailing newline is not part of the text). */
export function journalRecordOf(line: string, facts: EntryFacts): JournalAppend {
  const text = line.endsWith('\n') ? line.slice(0, -1) : line;
  return {
    kind: facts.kind === 'request' ? 'vault-request' : 'vault-response',
    timeNs: facts.timeNs,
    text,
    keys: {
      requestId: facts.requestId,
      accessor: facts.accessor,
      entityId: facts.entityId,
      correlationId: facts.correlationId,
      remoteAddress: facts.remoteAddress,
      path: facts.path,
      operation: facts.operation,
      outcome: facts.failed ? 'failure' : 'success',
    },
  };
}

/** The sink factory for the server's journal store. */
export function journalSinkFactory(store: JournalStore): SinkFactory {
  return async () => {
    const sink: AuditSink = {
      delivery: 'confirmed',
      write: () => Promise.reject(new Error('the journal keeps entries with their facts (writeEntry)')),
      // The store's promise itself: appends of one batch share it, so the broker settles the
      // entries of a batch together (as it does for a file device's batch).
      // An entry over the journal's record limit (64 MiB: a request of millions of escaped
      // characters) is kept reduced, as a network device sends one over its receiver's limit
      // (reduced-entry.ts): refused, it would fail the request after other devices took its
      // request entry, leaving them an entry without an outcome.
      writeEntry: (line, facts, reduced) =>
        store.append(journalRecordOf(fitsInJournalRecord(line) ? line : reduced(Buffer.byteLength(line, 'utf8')), facts)),
      // The store belongs to the server, which closes it after the audit devices.
      reopen: async () => {},
      close: async () => {},
    };
    return sink;
  };
}
