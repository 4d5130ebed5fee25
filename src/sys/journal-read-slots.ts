/**
 * How many journal and ledger reads may be in flight, per server and per token. A page carries up
 * to 16 Mi characters of record text (an entry bundle, 256 records' text), the reader runs one
 * query at a time, and an answer is held in memory until the client has taken all of it: without
 * a bound, clients that ask and then read slowly (or not at all) grow the server's memory with
 * every request, and each query waits behind all those before it.
 *
 * A read holds its slot from its handler's start until its answer has been sent in full or its
 * connection is gone, whichever is later than the handler's end (LogicalRequest.whenAnswered):
 * a client that stalls after the first bytes keeps its slot, and one that hangs up before the
 * query ends does not free it while the query still runs. Past either limit a read is refused with
 * 503 `journal_busy` (and Retry-After), audited like any refusal. The CLI pages one request at a
 * time, its ledger reads keep at most JOURNAL_READS_PER_TOKEN in flight (cli/ledger-fetch.ts),
 * and the console asks at most a few at once. The reader thread serves the
 * queries of reads in flight in turn per token (lib/reader-turns.ts).
 */
import { SealtrailError } from '../errors/index.js';
import { createInFlightLimit, type InFlightLimit, type InFlightRefusal } from '../lib/in-flight-limit.js';
import { clientBlock } from '../lib/ip-range.js';
import { asReader } from '../lib/reader-turns.js';
import type { PathHandler, PathRequest } from '../core/index.js';

/** Journal and ledger reads in flight on one server. */
export const JOURNAL_READS_PER_SERVER = 16;
/** Journal and ledger reads in flight for one token (by accessor), or one address without a token. */
export const JOURNAL_READS_PER_TOKEN = 4;

export type JournalReadSlots = InFlightLimit;

export function createJournalReadSlots(): JournalReadSlots {
  return createInFlightLimit({ total: JOURNAL_READS_PER_SERVER, perKey: JOURNAL_READS_PER_TOKEN });
}

/**
 * Whose slots a read counts against: its token's (a batch token has no accessor), or its address's
 * (a public ledger), an IPv6 one by its /64 as rate limits count it.
 */
function readerOf(req: PathRequest): string {
  if (req.token) return `token:${req.token.accessor || req.token.idHash}`;
  return `address:${clientBlock(req.logical.remoteAddress)}`;
}

const BUSY: Record<InFlightRefusal, string> = {
  key: `too many journal reads in flight for this token (${JOURNAL_READS_PER_TOKEN}): retry once one of them has been answered`,
  server: `too many journal reads in flight on this server (${JOURNAL_READS_PER_SERVER}): retry shortly`,
};

export const journalBusy = (refusal: InFlightRefusal) => new SealtrailError('unavailable', 'journal_busy', BUSY[refusal]);

/** `handler`, run only with a slot, which it holds until its answer is sent (see above). */
export function heldUntilAnswered(slots: JournalReadSlots, handler: PathHandler): PathHandler {
  return async (req) => {
    const reader = readerOf(req);
    const slot = slots.take(reader);
    if (typeof slot === 'string') throw journalBusy(slot);
    try {
      return await asReader(reader, () => handler(req));
    } finally {
      if (req.logical.whenAnswered) req.logical.whenAnswered(slot.release);
      else slot.release();
    }
  };
}
