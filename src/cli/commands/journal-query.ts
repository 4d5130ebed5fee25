/**
 * `sealtrail journal search | timeline | tail | export`, over the server's journal API:
 *   sealtrail journal search --entity-id <id> --kind vault-response --since 2026-01-01T00:00:00Z
 *   sealtrail journal timeline --entity-id <id>       (or --accessor, --correlation-id, --request-id; --since, --until)
 *   sealtrail journal tail [filters]                  (follows new records until interrupted)
 *   sealtrail journal export [filters] > records.jsonl (one record per line, oldest first)
 *   sealtrail journal export --journal journal.db [filters] > records.jsonl   (straight from the file)
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { SealtrailApiError, type SealtrailClient } from '../../sdk/index.js';
import type { CliContext } from '../context.js';
import { CliExit, EXIT_REMOTE, onFile, remote, usageError } from '../failure.js';
import { readRecordPage, readTimeline, type RecordPage, type RecordView } from '../journal-api.js';
import { oneLineJson } from '../../lib/json-line.js';
import { printable, terminalSafeJson } from '../printable.js';
import { columnize, tableOutput } from '../table.js';
import { assertJournal, checkJournalFile, journalIfGiven, type JournalFileFlags, type JournalLocation } from './journal-file.js';

/** Filter flags → query parameters (the API's names). */
const FILTER_FLAGS = [
  ['kind', '--kind <kinds>', 'record kinds, comma-separated (vault-request, vault-response, cloudtrail, capsule-access, capsule-control, attestation, server)'],
  ['since', '--since <time>', 'records at or after this RFC 3339 time'],
  ['until', '--until <time>', 'records at or before this RFC 3339 time'],
  ['entity_id', '--entity-id <id>', 'entity id'],
  ['accessor', '--accessor <accessor>', 'token accessor (hashed by the server)'],
  ['correlation_id', '--correlation-id <id>', 'attestation correlation id'],
  ['request_id', '--request-id <id>', 'request id'],
  ['path_prefix', '--path-prefix <prefix>', 'request path prefix, e.g. secret/data/'],
  ['outcome', '--outcome <outcome>', 'success or failure'],
  ['key_arn', '--key-arn <arn>', 'KMS key ARN'],
  ['access_key_id', '--access-key-id <id>', 'AWS access key id'],
  ['user_arn', '--user-arn <arn>', 'AWS user ARN'],
  ['capsule', '--capsule <id>', 'capsule id'],
  ['remote_address', '--remote-address <ip>', 'client address'],
  ['imported', '--imported <true|false>', 'only imported records (true), or only those the server witnessed (false)'],
] as const;

/** The largest page the API gives (sys/journal/records `limit`). */
const PAGE = 1000;
const TAIL_INTERVAL_MS = 1000;
/** The tail's own reads whose records it leaves out: its last ones, enough for an indexer that lags. */
const OWN_READS_REMEMBERED = 1024;

function withFilters(cmd: Command): Command {
  for (const [, flag, help] of FILTER_FLAGS) cmd.option(flag, help);
  return cmd;
}

/** commander's camelCase option names → the API's parameters. */
function filterQuery(flags: Record<string, unknown>): Record<string, string> {
  const query: Record<string, string> = {};
  for (const [param, flag] of FILTER_FLAGS) {
    const name = flag.slice(2, flag.indexOf(' ')).replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
    const value = flags[name];
    if (typeof value === 'string') query[param] = value;
  }
  return query;
}

/** The API's parameters → the flags that set them. */
const FLAG_OF = new Map<string, string>([
  ...FILTER_FLAGS.map(([param, flag]) => [param, flag.slice(0, flag.indexOf(' '))] as [string, string]),
  ['limit', '--limit'], ['order', '--order'], ['cursor', '--cursor'], ['after_seq', '--after-seq'],
]);

/** The server's message names the parameter it refused (`"since" must be ...`); the user gave a flag. */
export const inFlagTerms = (detail: string) => detail.replace(/^"([a-z_]+)"/, (quoted, param: string) => FLAG_OF.get(param) ?? quoted);

function page(client: SealtrailClient, query: Record<string, string>): Promise<RecordPage & { requestId?: string }> {
  return remote('reading the journal', () => readRecordPage(client, query), EXIT_REMOTE, inFlagTerms);
}

/**
 * The newest live record now, where a tail starts. An imported record keeps its log's time, which
 * may be any (a skewed clock's, in the future), so the newest of all by time may be an old import,
 * and every record since would be shown as new. A token whose policy refuses `imported` starts
 * after the newest record of any origin.
 */
function newestLive(client: SealtrailClient): Promise<RecordPage & { requestId?: string }> {
  const newest = { limit: '1', order: 'desc' };
  return remote('reading the journal', () => readRecordPage(client, { ...newest, imported: 'false' }).catch((err: unknown) => {
    if (err instanceof SealtrailApiError && err.status === 403) return readRecordPage(client, newest);
    throw err;
  }), EXIT_REMOTE, inFlagTerms);
}

const badAnswer = (why: string) => new CliExit(EXIT_REMOTE, `Error reading the journal: ${why}`);

/**
 * Holds a server's pages to what a journal's are: a cursor only after a page of records, never the
 * same one twice (an export would write the same records again, or loop forever), each record's
 * text one JSON value (an export copies it into its line). Tail reads by seq and requires it to
 * rise; an export's pages are in time order, where imported records sit before live ones.
 */
function checkedPages(after?: number) {
  let lastSeq = after ?? -Infinity;
  const cursors = new Set<string>();
  return {
    records(records: readonly RecordView[], opts: { texts: boolean }): void {
      for (const r of records) {
        if (after !== undefined) {
          if (!(typeof r.seq === 'number' && r.seq > lastSeq)) throw badAnswer(`the server sent record ${String(r.seq)} after ${lastSeq}: records must come in rising order`);
          lastSeq = r.seq;
        }
        if (opts.texts && !isOneJsonValue((r as { text?: unknown }).text)) throw badAnswer(`the server sent record ${String(r.seq)} with a text that is not one JSON value`);
      }
    },
    cursor(records: readonly RecordView[], cursor: string | null): void {
      if (cursor === null) return;
      if (records.length === 0) throw badAnswer('the server sent a cursor after an empty page');
      if (cursors.has(cursor)) throw badAnswer('the server sent a cursor it sent before: its pages would repeat');
      cursors.add(cursor);
    },
  };
}

function isOneJsonValue(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * One exported line: the view's fields, then the record's text as the journal keeps it (already
 * JSON: never re-parsed), its line breaks between tokens made spaces (lib/json-line.ts). An export
 * read from the file writes the same bytes.
 */
export function exportLine(r: { text?: string; [field: string]: unknown }): string {
  const { text, ...view } = r;
  const head = JSON.stringify(view);
  return `${head.slice(0, -1)},"record":${text === undefined ? 'null' : oneLineJson(text)}}\n`;
}

/**
 * A table row; Operation tells server events apart (start, seal, reload, ...), which have no request or path.
 * An imported record's kind says so: its text may be any line a log held, the same as a live record's.
 */
const rowOf = (r: RecordView) => [String(r.seq), r.time, kindCell(r), r.request_id ?? '', r.path ?? '', r.operation ?? '', r.outcome ?? ''];
const kindCell = (r: RecordView) => (r.imported !== null && typeof r.imported === 'object' ? `${r.kind} (imported)` : r.kind);
const HEADER = ['Seq', 'Time', 'Kind', 'Request ID', 'Path', 'Operation', 'Outcome'];
/**
 * The tail's columns, printed before any row is known: wide enough for a seq to 10^8, an RFC 3339
 * time with nanoseconds, every kind, a UUID and most paths and operations.
 */
const TAIL_WIDTHS = [8, 30, 15, 36, 28, 9];

export function registerJournalQueries(journal: Command, ctx: CliContext): void {
  withFilters(journal.command('search').description('Search the journal (newest first unless --order asc)'))
    .option('--limit <n>', 'at most this many records (1 to 1000)', '100')
    .option('--order <order>', 'asc or desc', 'desc')
    .option('--cursor <cursor>', 'continue a previous search (its next_cursor)')
    .action(async (flags: Record<string, unknown>) => {
      const query = { ...filterQuery(flags), limit: String(flags.limit), order: String(flags.order) };
      if (typeof flags.cursor === 'string') Object.assign(query, { cursor: flags.cursor });
      const result = await page(await ctx.client(), query);
      const out = ctx.output();
      if (out.format === 'json') return out.json({ records: result.records, next_cursor: result.next_cursor });
      if (result.records.length > 0) out.line(tableOutput(HEADER, result.records.map(rowOf)));
      else if (!result.next_cursor) out.error('No records found');
      if (result.next_cursor) out.error(`more records: --cursor ${printable(result.next_cursor)}`);
    });

  journal
    .command('timeline')
    .description('Everything one subject took part in, oldest first, grouped per request')
    .option('--entity-id <id>', 'entity id')
    .option('--accessor <accessor>', 'token accessor')
    .option('--correlation-id <id>', 'attestation correlation id')
    .option('--request-id <id>', 'request id')
    .option('--since <time>', 'from this RFC 3339 time')
    .option('--until <time>', 'up to this RFC 3339 time')
    .option('--cursor <cursor>', 'continue a truncated timeline (its next_cursor, with the same subject, --since and --until)')
    .action(async (flags: { entityId?: string; accessor?: string; correlationId?: string; requestId?: string; since?: string; until?: string; cursor?: string }) => {
      const subject: Record<string, string> = {};
      if (flags.entityId) subject.entity_id = flags.entityId;
      if (flags.accessor) subject.accessor = flags.accessor;
      if (flags.correlationId) subject.correlation_id = flags.correlationId;
      if (flags.requestId) subject.request_id = flags.requestId;
      if (Object.keys(subject).length !== 1) throw usageError('give exactly one of --entity-id, --accessor, --correlation-id, --request-id');
      const range: Record<string, string> = {};
      if (flags.since !== undefined) range.since = flags.since;
      if (flags.until !== undefined) range.until = flags.until;
      if (flags.cursor !== undefined) range.cursor = flags.cursor;
      const client = await ctx.client();
      const data = await remote('reading the timeline', () => readTimeline(client, { ...subject, ...range }), EXIT_REMOTE, inFlagTerms);
      const out = ctx.output();
      if (out.format === 'json') return out.json(data);
      if (data.groups.length === 0) out.error(`No records for ${Object.keys(subject)[0]} ${printable(Object.values(subject)[0])}`);
      for (const group of data.groups) {
        out.line(`Request ${printable(group.request_id ?? '(none)')}`);
        out.line(tableOutput(HEADER, group.records.map(rowOf)));
        out.line();
      }
      if (data.truncated) {
        if (data.next_cursor) out.error(`more records: --cursor ${printable(data.next_cursor)}`);
        else out.error(data.next_since ? `more records: --since ${printable(data.next_since)}` : 'the timeline has more records than shown');
      }
    });

  withFilters(journal.command('tail').description('Follow new records as they are written (Ctrl-C stops)'))
    .option('--after-seq <seq>', 'start after this record (default: the newest now)')
    .option('--max-records <n>', 'stop after printing this many')
    .action(async (flags: Record<string, unknown>) => {
      const client = await ctx.client();
      const out = ctx.output();
      const filters = filterQuery(flags);
      const max = flags.maxRecords === undefined ? Infinity : Number(flags.maxRecords);
      if (!(max > 0)) throw usageError('--max-records must be a positive integer');
      // The tail's own reads are audited, and so journal records: they are not shown, or every
      // poll would find the last one's entries and poll again at once, for ever.
      const own = new Set<string>();
      const mine = (requestId: string | undefined) => {
        if (requestId === undefined) return;
        own.add(requestId);
        if (own.size > OWN_READS_REMEMBERED) own.delete(own.values().next().value!);
      };
      const first = typeof flags.afterSeq === 'string' ? undefined : await newestLive(client);
      mine(first?.requestId);
      let after = typeof flags.afterSeq === 'string' ? flags.afterSeq : String(first?.records[0]?.seq ?? 0);
      let printed = 0;
      let header = out.format !== 'json';
      const pages = checkedPages(Number(after));
      while (printed < max) {
        // A failed read ends the command (page throws): polling a wrong address would wait forever.
        const { records, requestId } = await page(client, { ...filters, after_seq: after, limit: String(PAGE) });
        mine(requestId);
        pages.records(records, { texts: false });
        // After the first answer: a server that is not one prints the error alone.
        if (header) out.line(tableOutput(HEADER, [], TAIL_WIDTHS));
        header = false;
        const shown = records.filter((r) => !(typeof r.request_id === 'string' && own.has(r.request_id)));
        for (const r of shown.slice(0, max - printed)) {
          if (out.format === 'json') out.line(terminalSafeJson(JSON.stringify(r)));
          else out.line(columnize([rowOf(r)], TAIL_WIDTHS));
          printed++;
        }
        if (records.length > 0) after = String(records.at(-1)!.seq);
        if (shown.length === 0) await new Promise((resolve) => setTimeout(resolve, TAIL_INTERVAL_MS));
      }
    });

  withFilters(journal.command('export').description('Write every matching record as JSON lines, oldest first'))
    .option('--journal <file>', 'read this journal database directly (no server; the filters are the same)')
    .option('--config <file>', 'read the journal file of this server configuration directly')
    .action(async (flags: Record<string, unknown>) => {
      const where = await journalIfGiven(flags as JournalFileFlags);
      if (where !== undefined) return exportDirectly(where, filterQuery(flags), ctx);
      const client = await ctx.client();
      const out = ctx.output();
      const query = { ...filterQuery(flags), order: 'asc', limit: String(PAGE), format: 'raw' };
      let cursor: string | null = null;
      const pages = checkedPages();
      do {
        const result: RecordPage = await page(client, cursor ? { ...query, cursor } : query);
        pages.cursor(result.records, result.next_cursor);
        pages.records(result.records, { texts: true });
        const lines = result.records.map(exportLine).join('');
        out.raw(ctx.io.stdoutIsTty ? terminalSafeJson(lines) : lines);
        cursor = result.next_cursor;
      } while (cursor);
    });
}

/**
 * The export read straight from a journal file: the same lines as over the API, without a server
 * (and without its ACL: reading the file is the privilege). A raw accessor cannot be hashed here
 * (the journal's salt is the server's), so an accessor is taken only as the journal shows it.
 */
async function exportDirectly(where: JournalLocation, query: Record<string, string>, ctx: CliContext): Promise<void> {
  if ('path' in where) {
    if (!existsSync(where.path)) throw usageError(`no journal database at ${where.path}`);
    await checkJournalFile(where.path);
    // Opening it for the export would give any other SQLite database the journal's tables.
    await assertJournal(where.path);
  }
  // Loaded on demand: the journal (SQLite) is server code, which other commands should not load.
  const { exportJournalFile, exportJournalStore, createPostgresJournalStore, parseJournalQuery } = await import('../../journal/index.js');
  const parsed = parseJournalQuery(query, () => {
    throw usageError('--accessor: reading a journal file, give the accessor as the journal shows it (hmac-sha256:...)');
  });
  const io = ctx.io;
  // Chunks hold whole lines; on a terminal they are shown as the export over the API shows them.
  const write = io.stdoutIsTty
    ? (chunk: Buffer) => io.stdout(terminalSafeJson(chunk.toString('utf8')))
    : (chunk: Buffer) => (io.stdoutBytes ? io.stdoutBytes(chunk) : io.stdout(chunk.toString('utf8')));
  if ('path' in where) {
    await onFile(where.path, () => exportJournalFile(where.path, parsed.filter, write));
    return;
  }
  const store = await createPostgresJournalStore({ url: where.url });
  try {
    await exportJournalStore(store, parsed.filter, write);
  } finally {
    await store.close();
  }
}
