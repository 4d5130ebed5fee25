/**
 * What the ledger commands read from a Sealtrail server: its log (the tlog-tiles paths under
 * /v1/sys/ledger, with the CLI's token) and its journal's records by seq (sys/journal/records,
 * raw text, for comparing with the entries).
 */
import { CHECKPOINT_PATH, parseCheckpoint, type Checkpoint, type LogFetcher } from '../ledger/index.js';
import type { SealtrailClient } from '../sdk/index.js';
import type { CliContext } from './context.js';
import { remoteDetail } from './failure.js';
import { readRecordPage, type RecordView } from './journal-api.js';
import { LogResourceMissing, SERVER_LEDGER_PREFIX, serverReadFetch, urlFetcher } from './ledger-fetch.js';
import type { RecordColumns, RecordPage, SeqRecord } from './ledger-records.js';

/** The server's log, read with the CLI's address and token. */
export async function serverLog(ctx: CliContext): Promise<{ client: SealtrailClient; fetch: LogFetcher }> {
  const client = await ctx.client();
  const log = urlFetcher({ prefix: client.address + SERVER_LEDGER_PREFIX, server: true, address: client.address }, client.getToken(), serverReadFetch(await ctx.fetch()));
  return { client, fetch: log };
}

/** The signed checkpoint's text, or undefined before the log has one. */
export async function readCheckpointNote(fetch: LogFetcher): Promise<string | undefined> {
  try {
    return Buffer.from(await fetch(CHECKPOINT_PATH)).toString('utf8');
  } catch (err) {
    if (err instanceof LogResourceMissing) return undefined;
    throw err;
  }
}

/**
 * The checkpoint a signed note carries, its signature not checked: what `prove` needs to ask for
 * a proof (the bundle's reader checks the signature with the key it holds).
 */
export function checkpointOfNote(note: string): Checkpoint {
  const split = note.lastIndexOf('\n\n');
  return parseCheckpoint(split < 0 ? note : note.slice(0, split + 1));
}

/** The columns a record view shows: its kind, time and keys (null or absent: none). */
export function columnsOf(view: RecordView): RecordColumns {
  const keys: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(view)) if (typeof value === 'string' || value === null) keys[name] = value;
  return { kind: view.kind, time: view.time, keys };
}

/**
 * One page of the journal's records, raw, with their columns, in seq order: the API caps a page at
 * 1,000 records and ends it early past MAX_PAGE_CHARS of text (with after_seq, no cursor: the next
 * page is after its last seq, as checkRecords asks for it).
 */
export function apiRecordPage(client: SealtrailClient): RecordPage {
  return async (afterSeq, limit) => {
    let page;
    try {
      // A raw page: each record's seq and text are checked there.
      page = await readRecordPage(client, { after_seq: String(afterSeq), limit: String(limit), order: 'asc', format: 'raw' });
    } catch (err) {
      throw new Error(remoteDetail(err) ?? (err instanceof Error ? err.message : String(err)));
    }
    return page.records.map((r): SeqRecord => ({ seq: r.seq, text: r.text!, columns: columnsOf(r) }));
  };
}
