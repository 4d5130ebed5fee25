/**
 * The journal's place in the server: its store, opened for the life of the process, and its audit
 * device (`journal/`, type `journal`), declared with the configuration's devices.
 */
import { JOURNAL_DEVICE_TYPE, journalSinkFactory, sinkFactories, type ConfigDeviceDeclaration, type SinkFactory } from '../audit/index.js';
import { journalPath, type ServerConfig } from '../config/index.js';
import { createJournalStore, createPostgresJournalStore, postgresLedgerFiles, type IndexerMessage, type JournalHealth, type JournalStore } from '../journal/index.js';
import type { Clock } from '../lib/clock.js';
import { ConfigError, journalConnectionUrl } from '../config/index.js';

import { createLedger, ledgerDirectory, type Ledger, type LedgerLog } from './ledger.js';

export const JOURNAL_DEVICE_PATH = 'journal/';
export { CONNECTION_URL_ENV, journalConnectionUrl } from '../config/index.js';

/** Where the indexer's reports go (the server's logger). */
export interface JournalLog {
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
}

export interface OpenedJournal {
  journal?: JournalStore;
  ledger?: Ledger;
  /** Whether the indexer and the ledger keep up (absent with the journal off). */
  health?: () => JournalHealth;
  /** Closes the journal, then what the ledger holds open. */
  close(): Promise<void>;
}

/**
 * The journal and its ledger, where the configuration keeps them: SQLite and the ledger's
 * directory on this node, or one PostgreSQL database the nodes of a cluster share (the journal's
 * records, the ledger's files and its size; this node extends the ledger after each commit).
 */
export interface JournalPlacement {
  /** PostgreSQL: whether this node extends the shared ledger now (with HA, only the active one). */
  ledgerActive?: () => boolean;
  /** Told when the indexer or the ledger starts or stops failing (the journal's server events). */
  onEpisode?: (event: JournalEpisode, details: { code?: string }) => void;
}

export type JournalEpisode = 'journal_indexer_failing' | 'journal_indexer_recovered' | 'ledger_failing' | 'ledger_recovered';

/** The health the indexer's reports keep, and where episodes are told. */
export interface Watch {
  health: JournalHealth;
  onEpisode?: JournalPlacement['onEpisode'];
}

const watchFor = (placement: JournalPlacement): Watch => ({
  health: { indexerFailing: false, ledgerFailing: false, ledgerLeaves: 0 }, onEpisode: placement.onEpisode,
});

export async function openJournalAndLedger(config: ServerConfig, clock: Clock, log: JournalLog & LedgerLog, placement: JournalPlacement = {}): Promise<OpenedJournal> {
  if (!config.journal.enabled) return { close: async () => undefined };
  if (config.journal.storage !== 'postgresql') {
    const dir = ledgerDirectory(config);
    const watch = watchFor(placement);
    const ledger = dir === undefined ? undefined : createLedger(config, dir, log, divergence(watch));
    const journal = openJournal(config, clock, log, ledger, watch);
    return { journal, ledger, health: () => ({ ...watch.health }), close: () => journal?.close() ?? Promise.resolve() };
  }
  const url = journalConnectionUrl(config);
  const onError = (err: Error) => log.warn({ err: err.message }, 'a PostgreSQL connection of the ledger failed');
  const files = config.ledger.enabled ? postgresLedgerFiles(url, onError) : undefined;
  const watch = watchFor(placement);
  const ledger = files ? createLedger(config, files, log, divergence(watch)) : undefined;
  try {
    const journal = await createPostgresJournalStore({
      url, ledger: ledger !== undefined, ledgerActive: placement.ledgerActive, retentionMs: config.journal.retentionMs, clock, onIndexer: indexerReports('postgresql', log, ledger, watch),
      onConnectionError: (err) => log.warn({ err: err.message }, 'a PostgreSQL connection of the journal failed; appends use another'),
    });
    return { journal, ledger, health: () => ({ ...watch.health }), close: async () => { await journal.close(); await files?.close(); } };
  } catch (err) {
    await files?.close();
    // Named as the journal's, never with the URL (it may hold a password): "ECONNREFUSED" alone
    // does not say which of the server's databases could not be reached.
    const reason = err instanceof Error ? err.message : String(err);
    throw new ConfigError(`the journal's PostgreSQL database (journal.connection_url) could not be opened: ${reason}`);
  }
}

/** The ledger's word that the log stopped (or went back to) extending its last checkpoint, in the health. */
const divergence = (watch: Watch) => (diverged: boolean) => {
  watch.health.ledgerFailing = diverged;
  watch.onEpisode?.(diverged ? 'ledger_failing' : 'ledger_recovered', diverged ? { code: 'ledger_diverged' } : {});
};

/** What the journal's indexer (or, on PostgreSQL, its ledger) reports, to the log, the ledger and the health. */
export function indexerReports(path: string, log: JournalLog, ledger: Ledger | undefined, watch: Watch): (m: IndexerMessage) => void {
  // The ledger's failures are about its own files (on SQLite a directory of their own, which may
  // sit on another disk): those name it, not the journal's database.
  const ledgerPath = ledger?.dir ?? path;
  const { health } = watch;
  return (m) => {
    if (m.kind === 'ledger') {
      health.ledgerLeaves = m.size;
      ledger?.grown(m.size, m.root);
    } else if (m.kind === 'ledger_failing') {
      health.ledgerFailing = true;
      log.warn({ path: ledgerPath, code: m.code, err: m.message }, 'the ledger cannot follow the journal; records stay in the journal and enter the ledger once this is resolved');
      watch.onEpisode?.('ledger_failing', { code: m.code });
    } else if (m.kind === 'ledger_recovered') {
      health.ledgerFailing = false;
      log.info({ path: ledgerPath }, 'the ledger follows the journal again');
      watch.onEpisode?.('ledger_recovered', {});
    } else if (m.kind === 'failing') {
      health.indexerFailing = true;
      log.warn({ path, code: m.code, err: m.message }, 'the journal\'s indexer is failing; records stay in the spool and are indexed once it recovers');
      watch.onEpisode?.('journal_indexer_failing', { code: m.code });
    } else if (m.kind === 'recovered') {
      health.indexerFailing = false;
      log.info({ path }, 'the journal\'s indexer recovered');
      watch.onEpisode?.('journal_indexer_recovered', {});
    } else if (m.kind === 'spool_restored') {
      log.warn({ path, segment: m.segment, fate: m.fate }, `the journal's spool segment was ${m.fate} while the server runs; its records were written to a new file under its name`);
    } else if (m.kind === 'cache') log.warn({ path, code: m.code }, 'the journal could not flush its spool to drop it from the page cache; records are kept, memory use grows');
    else log.warn({ path, segment: m.segment, offset: m.offset, reason: m.reason }, 'a journal spool segment is corrupt past this point; it was kept as .corrupt and skipped');
  };
}

/** The journal on SQLite, and with `ledger` its indexer thread appends every record to the ledger. */
function openJournal(config: ServerConfig, clock: Clock, log: JournalLog, ledger: Ledger | undefined, watch: Watch): JournalStore | undefined {
  if (!config.journal.enabled) return undefined;
  const path = journalPath(config);
  const onIndexer = indexerReports(path, log, ledger, watch);
  return createJournalStore({ path, spool: true, fsync: config.journal.fsync, retentionMs: config.journal.retentionMs, clock, onIndexer, ledgerDir: ledger?.dir });
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
