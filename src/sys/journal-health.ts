/**
 * The journal's health where operators look: sys/health fields and sys/metrics gauges. A failing
 * indexer or ledger loses no record (docs/journal.md), but the journal stops being searchable, or
 * the ledger stops covering new records, until it recovers: both are worth an alert.
 */
import type { JournalHealth } from '../journal/index.js';

/** sys/health's fields for the journal. */
export function journalHealthFields(h: JournalHealth): Record<string, boolean> {
  return { journal_indexer_failing: h.indexerFailing, ledger_failing: h.ledgerFailing };
}

/** Prometheus gauges, appended to sys/metrics. */
export function journalMetricsText(h: JournalHealth): string {
  return [
    '# HELP sealtrail_journal_indexer_failing 1 while the journal cannot index its spool: records are kept, searches miss the newest.',
    '# TYPE sealtrail_journal_indexer_failing gauge',
    `sealtrail_journal_indexer_failing ${h.indexerFailing ? 1 : 0}`,
    '# HELP sealtrail_ledger_failing 1 while the ledger cannot follow the journal: records enter it once it can write again.',
    '# TYPE sealtrail_ledger_failing gauge',
    `sealtrail_ledger_failing ${h.ledgerFailing ? 1 : 0}`,
    '# HELP sealtrail_ledger_leaves Leaves in the ledger\'s tree: journal records covered by its checkpoints once signed.',
    '# TYPE sealtrail_ledger_leaves gauge',
    `sealtrail_ledger_leaves ${h.ledgerLeaves}`,
    '',
  ].join('\n');
}
