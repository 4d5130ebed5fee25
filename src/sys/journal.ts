/**
 * sys/ paths for the journal (ACL-protected like every sys/ path; no sudo needed, a policy grants
 * `read` on them):
 *
 *   GET sys/journal/records?kind=&since=&until=&entity_id=&accessor=&correlation_id=&request_id=
 *       &path_prefix=&outcome=&key_arn=&access_key_id=&capsule=&remote_address=&user_arn=&imported=
 *       &after_seq=&limit=&cursor=&order=asc|desc&format=json|raw
 *                                               → { records: [...], next_cursor }
 *   GET sys/journal/timeline?entity_id=|accessor=|correlation_id=|request_id=[&limit=&since=&until=&cursor=]
 *                                               → { groups: [{ request_id, records }], truncated, next_since, next_cursor }
 *
 * Both hold one of the reads in flight that journal-read-slots.ts bounds until they are answered.
 *
 * Their response entries name the records returned by seq instead of embedding them (auditData):
 * the records are in the journal already, and a query that returns earlier queries' entries would
 * otherwise write an entry holding all of them again, twice the size of the last one each time.
 */
import { invalid, notFound } from '../errors/index.js';
import { rfc3339Nano } from '../lib/time.js';
import type { PathSpec } from '../core/index.js';
import { heldUntilAnswered, type JournalReadSlots } from './journal-read-slots.js';
import {
  decodeCursor, encodeCursor, filterFingerprint, LIST_PARAMETERS, MAX_PAGE, TIMELINE_SUBJECTS, parseJournalQuery, recordView, searchJournal, timeline,
  type JournalRecord, type JournalStore, type RecordParser,
} from '../journal/index.js';

/**
 * How long a query waits for the indexer to reach what was acknowledged before it. Past that (an
 * index far behind under load) the query answers from what is indexed, with a warning.
 */
export const QUERY_WAIT_MS = 10_000;

const BEHIND_WARNING = 'the journal\'s index is behind: records acknowledged in the last moments may be missing from this answer';

/** Waits for the index; the warnings to add to the answer if it is still behind. */
async function indexWarnings(journal: JournalStore): Promise<string[] | undefined> {
  return (await journal.caughtUp(QUERY_WAIT_MS)) ? undefined : [BEHIND_WARNING];
}

/** The records of an answer as its response entries show them: how many, and their seqs (at most a page). */
function auditedRecords(records: readonly JournalRecord[]): { count: number; seqs: number[] } {
  return { count: records.length, seqs: records.map((r) => r.seq) };
}

export interface JournalSysDeps {
  journal?: JournalStore;
  /** HMAC with the journal device's salt (raw accessors in filters are hashed with it). */
  hashAccessor: (accessor: string) => string;
  /** Parses a record's text for the response. */
  parseRecord: RecordParser;
  /** Reads in flight, shared with the ledger's paths (journal-read-slots.ts). */
  slots: JournalReadSlots;
}

export function journalSysPaths(deps: JournalSysDeps): PathSpec[] {
  const store = (): JournalStore => {
    if (!deps.journal) throw notFound('the journal is turned off in the server configuration (journal { enabled = false })', 'journal_disabled');
    return deps.journal;
  };
  return [
    {
      pattern: 'journal/records',
      listParameters: LIST_PARAMETERS,
      handlers: {
        read: heldUntilAnswered(deps.slots, async (req) => {
          const journal = store();
          const query = parseJournalQuery(req.data, deps.hashAccessor);
          const warnings = await indexWarnings(journal);
          const page = await searchJournal(journal, query);
          const parse = query.format === 'raw' ? undefined : deps.parseRecord;
          return {
            data: { records: page.records.map((r) => recordView(r, parse)), next_cursor: page.nextCursor },
            auditData: { records: auditedRecords(page.records), next_cursor: page.nextCursor },
            warnings,
          };
        }),
      },
    },
    {
      pattern: 'journal/timeline',
      listParameters: LIST_PARAMETERS,
      handlers: {
        read: heldUntilAnswered(deps.slots, async (req) => {
          const journal = store();
          const { limit: limitText, since, until, cursor, ...subject } = req.data as Record<string, unknown>;
          const unknown = Object.keys(subject).filter((k) => !(TIMELINE_SUBJECTS as readonly string[]).includes(k));
          if (unknown.length > 0) throw invalid(`unknown parameter "${unknown[0].slice(0, 64)}" (known: ${TIMELINE_SUBJECTS.join(', ')}, since, until, limit, cursor)`, 'journal_invalid_filter');
          const bounds = { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
          const parsed = parseJournalQuery({ ...subject, ...bounds, ...(limitText === undefined ? {} : { limit: limitText }), ...(cursor === undefined ? {} : { cursor }) }, deps.hashAccessor);
          const keys = parsed.filter.keys ?? {};
          const { sinceNs, untilNs } = parsed.filter;
          const range = { ...(sinceNs === undefined ? {} : { sinceNs }), ...(untilNs === undefined ? {} : { untilNs }) };
          const fingerprint = filterFingerprint({ keys, ...range }, 'asc', 'timeline');
          const from = parsed.cursor === undefined ? undefined : decodeCursor(parsed.cursor, fingerprint);
          const warnings = await indexWarnings(journal);
          const shown = await timeline(journal, keys, limitText === undefined ? MAX_PAGE : parsed.limit, range, from && { start: from.after, throughSeq: from.throughSeq });
          const nextSince = shown.nextSinceNs === undefined ? null : rfc3339Nano(shown.nextSinceNs);
          const nextCursor = shown.next ? encodeCursor({ after: shown.next.start, throughSeq: shown.next.throughSeq }, fingerprint) : null;
          return {
            data: {
              groups: shown.groups.map((g) => ({ request_id: g.requestId, records: g.records.map((r) => recordView(r, deps.parseRecord)) })),
              truncated: shown.truncated,
              next_since: nextSince,
              next_cursor: nextCursor,
            },
            auditData: { groups: shown.groups.length, records: auditedRecords(shown.groups.flatMap((g) => g.records)), truncated: shown.truncated, next_since: nextSince, next_cursor: nextCursor },
            warnings,
          };
        }),
      },
    },
  ];
}

