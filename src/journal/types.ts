/**
 * The journal's contract: every record the server witnessed, in one append-only sequence, each
 * kept as the exact text it was formatted as, with the keys that correlate and filter it.
 */

/** What a record is. The text of each kind is the format its own tooling reads. */
export const JOURNAL_KINDS = [
  'vault-request', // a Vault/OpenBao-format audit request entry (journal-salted)
  'vault-response', // its response entry
  'cloudtrail', // a CloudTrail event (the CloudTrailEvent JSON)
  'capsule-access', // a capsule access-log record
  'capsule-control', // a capsule control-log record
  'attestation', // one attestation verification
  'server', // a server event: start, seal/unseal, reload, device episodes, key rotation
] as const;
export type JournalKind = (typeof JOURNAL_KINDS)[number];

export type JournalOutcome = 'success' | 'failure';

/**
 * The extracted keys of a record. Every one is optional: a record carries what it knows.
 * `accessor` is always the journal-salted HMAC of a token accessor, never the accessor itself.
 */
export interface JournalKeys {
  requestId?: string;
  accessor?: string;
  entityId?: string;
  correlationId?: string;
  accessKeyId?: string;
  userArn?: string;
  keyArn?: string;
  capsule?: string;
  session?: string;
  remoteAddress?: string;
  path?: string;
  operation?: string;
  outcome?: JournalOutcome;
}

/** The filterable key names, as the query API and the CLI spell them. */
export const KEY_COLUMNS = {
  requestId: 'request_id',
  accessor: 'accessor',
  entityId: 'entity_id',
  correlationId: 'correlation_id',
  accessKeyId: 'access_key_id',
  userArn: 'user_arn',
  keyArn: 'key_arn',
  capsule: 'capsule',
  session: 'session',
  remoteAddress: 'remote_address',
  path: 'path',
  operation: 'operation',
  outcome: 'outcome',
} as const satisfies Record<keyof JournalKeys, string>;

/** Where an imported record came from. */
export interface JournalOrigin {
  file: string;
  line: number;
}

export interface JournalAppend {
  kind: JournalKind;
  /** Nanoseconds since the epoch. */
  timeNs: bigint;
  /** The record exactly as formatted (JSON text). */
  text: string;
  keys: JournalKeys;
  /** Set on imported records only. */
  origin?: JournalOrigin;
}

export interface JournalRecord extends JournalAppend {
  /** Dense, from 0: the record's leaf index in the ledger. */
  seq: number;
}

/** A record without its text: where it is, the keys a timeline joins by, and its text's size. */
export interface JournalPlace {
  seq: number;
  timeNs: bigint;
  requestId?: string;
  correlationId?: string;
  /** The text's length in UTF-8 bytes (never fewer than its characters). */
  bytes: number;
}

export interface JournalFilter {
  kinds?: readonly JournalKind[];
  /** Inclusive bounds in ns since the epoch. */
  sinceNs?: bigint;
  untilNs?: bigint;
  /** Equality on extracted keys (the accessor already journal-hashed). */
  keys?: Partial<Record<Exclude<keyof JournalKeys, 'path'>, string>>;
  pathPrefix?: string;
  imported?: boolean;
  /** Records of any of these requests (the timeline's join). */
  requestIds?: readonly string[];
  /** Records of these seqs (the records a timeline chose to show). */
  seqs?: readonly number[];
  /**
   * Only records that arrived after this seq, in arrival (seq) order rather than time order:
   * how `tail` follows the journal.
   */
  afterSeq?: number;
}

export type JournalOrder = 'asc' | 'desc';

/** A position in time order: the (time, seq) of the last record a page returned. */
export interface JournalPosition {
  timeNs: bigint;
  seq: number;
}

export interface JournalQuery extends JournalFilter {
  /** Time order (ties by seq), oldest or newest first. */
  order: JournalOrder;
  /** 1..MAX_PAGE */
  limit: number;
  /** Exclusive: only records past this position in the query's order. */
  after?: JournalPosition;
  /**
   * Only records with seq ≤ this: the set the first page saw, so later pages never shift when a
   * record arrives meanwhile (an imported one can land anywhere in time).
   */
  throughSeq?: number;
  /**
   * Rows stop once their texts pass this many characters in all, the row that passes it
   * included: a page of large records is shorter, never larger than this and one record.
   */
  maxChars?: number;
}

export const MAX_PAGE = 1000;
/**
 * Characters of record text one page or timeline carries (MAX_PAGE records of up to 64 MiB would
 * be 64 GiB): past it the page ends early, with a cursor to the rest.
 */
export const MAX_PAGE_CHARS = 16 * 1024 * 1024;

export interface ImportOutcome {
  added: number;
  /** Already in the journal (the same kind and text). */
  duplicates: number;
}

/** What a record's producer needs: append, and be told once the record is durable. */
export interface JournalWriter {
  /** Appends one record; resolves once it is durable (its seq is given when it is indexed). */
  append(record: JournalAppend): Promise<void>;
}

/**
 * The journal's storage. Reads are asynchronous: on SQLite they answer at once, on PostgreSQL
 * (postgres/) after a round trip.
 */
export interface JournalStore extends JournalWriter {
  /**
   * Appends imported records in one transaction, skipping any whose kind and text are already in
   * the journal (importing a file twice adds nothing).
   */
  importBatch(records: readonly JournalAppend[]): Promise<ImportOutcome>;
  /**
   * Resolves true once every record appended before the call is searchable, false if that took
   * longer than `timeoutMs` (an index behind under load). Queries see only indexed records.
   */
  caughtUp(timeoutMs: number): Promise<boolean>;
  query(q: JournalQuery): Promise<JournalRecord[]>;
  /** The places of the records `q` selects, their text never read into memory (`maxChars` does not apply). */
  locate(q: JournalQuery): Promise<JournalPlace[]>;
  /** Records with seq > afterSeq, in order (tail, export and the ledger read these). */
  readSince(afterSeq: number, limit: number): Promise<JournalRecord[]>;
  /** The newest record's seq; -1 for an empty journal. */
  lastSeq(): Promise<number>;
  count(): Promise<number>;
  /** Removes records older than the retention (none without one); returns how many. */
  purgeExpired(): Promise<number>;
  /** The database's plan for a query (tests and benchmarks check that an index serves it). */
  explain(q: JournalQuery): Promise<string[]>;
  close(): Promise<void>;
}

/**
 * Whether the journal's background work keeps up (sys/health, sys/metrics). Neither failure loses
 * a record: the indexer's leaves records in the spool, unsearchable until it recovers; the
 * ledger's leaves them out of the tree until it can write again.
 */
export interface JournalHealth {
  indexerFailing: boolean;
  ledgerFailing: boolean;
  /** Leaves in the ledger's tree as last reported (0 without a ledger). */
  ledgerLeaves: number;
}
