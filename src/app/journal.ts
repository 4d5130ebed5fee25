/**
 * The journal's place in the server: its store, opened for the life of the process, and its audit
 * device (`journal/`, type `journal`), declared with the configuration's devices.
 */
import { JOURNAL_DEVICE_TYPE, journalSinkFactory, sinkFactories, type ConfigDeviceDeclaration, type SinkFactory } from '../audit/index.js';
import { journalPath, type ServerConfig } from '../config/index.js';
import { createJournalStore, type JournalStore } from '../journal/index.js';
import type { Clock } from '../lib/clock.js';

export const JOURNAL_DEVICE_PATH = 'journal/';

export function openJournal(config: ServerConfig, clock: Clock): JournalStore | undefined {
  if (!config.journal.enabled) return undefined;
  return createJournalStore({ path: journalPath(config), appendThread: true, fsync: config.journal.fsync, retentionMs: config.journal.retentionMs, clock });
}

export function auditSinks(journal: JournalStore | undefined): Readonly<Record<string, SinkFactory>> {
  return journal ? { ...sinkFactories, [JOURNAL_DEVICE_TYPE]: journalSinkFactory(journal) } : sinkFactories;
}

/** The configuration's audit devices, and the journal's when it is on. */
export function auditDeclarations(config: ServerConfig): ConfigDeviceDeclaration[] {
  if (!config.journal.enabled) return config.audit;
  return [...config.audit, {
    path: JOURNAL_DEVICE_PATH,
    type: JOURNAL_DEVICE_TYPE,
    description: 'the journal: every record the server witnessed, correlated and searchable',
    options: { required: String(config.journal.required) },
  }];
}
