/**
 * One trail: delivers the events the store holds beyond its cursor as gzip log files, and writes
 * signed digest files chained to the previous one, to its destination (a directory or S3: see
 * destination.ts). Its state (cursor, the last digest's link) and the log files not yet in a
 * digest live in the storage given (inside the barrier), so the chain continues across restarts.
 * Each such log file is a record of its own, numbered, beside a state that says which numbers
 * wait: saving a delivery writes one file's record and the small state, however many files wait
 * (a backlog delivered after an outage, files delivered while digests fail), where rewriting the
 * whole list each time costs the square of the backlog. Operations on one trail run one at a time.
 *
 * An object counts as delivered once the state records it. An object that could not be stored
 * stays pending in memory and is sent again, same key and same bytes, before anything newer: a
 * retry never loses a file and never makes a second copy of one. If the record of a stored object
 * cannot be saved, the object is removed again: the same events go out in the next delivery, and
 * a digest that the chain does not know about never lingers in the bucket. Across a restart the
 * events of a pending log file are still beyond the cursor and go out again under a new key.
 */
import { gzipSync } from 'node:zlib';
import type { TrailConfig } from '../../config/index.js';
import type { Clock } from '../../lib/clock.js';
import { createSerializer } from '../../lib/keyed-lock.js';
import { rfc3339 } from '../../lib/time.js';
import { encodeJson, getJson, putJson, type Storage, type StorageOp } from '../../storage/index.js';
import { sha256Hex } from '../keys/crypto.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import type { EventStore, StoredEvent } from '../store/types.js';
import { deliveryErrorCode } from './delivery-error.js';
import type { DeliveryDestination, TrailObject } from './destination.js';
import { buildDigest, DIGEST_SIGNATURE_ALGORITHM, digestStringToSign, HASH_ALGORITHM, type DigestLogFile, type PreviousDigest } from './digest-file.js';
import type { LedgerHead } from './ledger-checkpoint.js';
import { digestFileKey, logFileKey, type TrailLocation } from './object-keys.js';

/** A trail as configured (a `trail "<name>" { ... }` block). */
export type { TrailConfig };

export interface TrailState {
  /** Highest event seq already delivered. */
  cursor: number;
  /** Start of the first digest period. */
  startMs: number;
  /**
   * The log files delivered and not yet in a digest are the records numbered from `firstPending`
   * up to, not including, `nextPending` (logFileRecordKey).
   */
  firstPending: number;
  nextPending: number;
  lastDigest?: PreviousDigest & { endMs: number };
  /** When log files were last delivered. */
  latestDeliveryMs?: number;
}

/** A state as saved by a version that kept the waiting log files in it. */
type SavedState = Omit<TrailState, 'firstPending' | 'nextPending'> & Partial<Pick<TrailState, 'firstPending' | 'nextPending'>> & { pendingLogs?: DigestLogFile[] };

/** What GetTrailStatus reports: times from the saved state, attempts and errors since start. */
export interface TrailStatus {
  startMs: number;
  latestDeliveryMs?: number;
  latestDeliveryAttemptMs?: number;
  /** An error code (ENOSPC, ECONNREFUSED, AccessDenied, ...) of the last failed log delivery, cleared by a success. */
  latestDeliveryError?: string;
  /** Failed delivery attempts (logs or digest) since the last success. */
  failedAttempts?: number;
  latestDigestMs?: number;
  latestDigestError?: string;
}

export interface DeliveryResult {
  /** S3 keys (relative to the bucket) written by this call. */
  logFiles: string[];
  digestFile?: string;
}

/** A failing episode begins (its first failure) or ends (the first success after it). */
export type DeliveryHealthEvent = { type: 'failing'; trail: string; code: string } | { type: 'recovered'; trail: string; failedAttempts: number };

export interface TrailWriterDeps {
  config: TrailConfig;
  location: TrailLocation;
  destination: DeliveryDestination;
  /** Called once when deliveries start failing and once when they succeed again. */
  onHealth?: (event: DeliveryHealthEvent) => void;
  store: () => EventStore;
  keys: SigningKeys;
  storage: Storage;
  clock: Clock;
  /** The ledger's latest signed checkpoint, named in each digest (absent: no ledger). */
  ledgerHead?: () => LedgerHead | undefined;
}

/** Events per log file: large enough for a busy interval, small enough to build in memory. */
const EVENTS_PER_FILE = 5000;
/**
 * Characters of JSON per log file (one event more only if the file would be empty). A record may
 * be about 200 KiB (format.ts), so 5,000 of them would make a string past V8's limit: the same
 * events would fail every delivery and hold up every later one. Files past the count or this size
 * are split.
 */
export const MAX_LOG_FILE_CHARS = 32 * 1024 * 1024;
/** Rows read from the store at a time while a log file is built. */
const READ_PAGE = 250;

interface PendingLog { object: TrailObject; entry: DigestLogFile; cursor: number }
/** A digest built and not yet stored; it covers the log file records numbered `from` to `to` (excluded). */
interface PendingDigest { object: TrailObject; from: number; to: number; link: NonNullable<TrailState['lastDigest']> }

export function createTrailWriter(deps: TrailWriterDeps) {
  const { config, location, clock, destination } = deps;
  const { bucket } = destination;
  const stateKey = `trails/${config.name}/state`;
  const logFileRecordKey = (n: number) => `trails/${config.name}/log-files/${n}`;
  const attempts: Omit<TrailStatus, 'startMs' | 'latestDeliveryMs' | 'latestDigestMs'> = {};
  const serial = createSerializer();
  let pendingLog: PendingLog | undefined;
  let pendingDigest: PendingDigest | undefined;

  const loadState = async (): Promise<TrailState> => {
    const existing = await getJson<SavedState>(deps.storage, stateKey);
    if (existing?.pendingLogs) return splitPendingLogs(existing, existing.pendingLogs);
    if (existing) return existing as TrailState;
    // A new trail logs from its creation on, as a CloudTrail trail does.
    const fresh: TrailState = { cursor: await deps.store().lastSeq(), startMs: clock.now(), firstPending: 0, nextPending: 0 };
    await putJson(deps.storage, stateKey, fresh);
    return fresh;
  };

  /** A state saved with its waiting log files in it, saved again with each of them a record. */
  async function splitPendingLogs(saved: SavedState, logFiles: DigestLogFile[]): Promise<TrailState> {
    const { pendingLogs: _, ...rest } = saved;
    const state: TrailState = { ...rest, firstPending: 0, nextPending: logFiles.length };
    await deps.storage.transaction([
      ...logFiles.map((entry, n): StorageOp => ({ op: 'put', key: logFileRecordKey(n), value: encodeJson(entry) })),
      { op: 'put', key: stateKey, value: encodeJson(state) },
    ]);
    return state;
  }

  /** The log files delivered and not yet in a digest, in delivery order. */
  async function pendingLogFiles(state: TrailState): Promise<DigestLogFile[]> {
    const files: DigestLogFile[] = [];
    for (let n = state.firstPending; n < state.nextPending; n++) {
      const entry = await getJson<DigestLogFile>(deps.storage, logFileRecordKey(n));
      if (!entry) throw new Error(`trail "${config.name}": the record of waiting log file ${n} is missing`);
      files.push(entry);
    }
    return files;
  }

  /** Saves, at once, the changes that record `key` as delivered; removes the object if it cannot. */
  async function recordDelivered(state: TrailState, changes: StorageOp[], key: string): Promise<void> {
    try {
      await deps.storage.transaction([...changes, { op: 'put', key: stateKey, value: encodeJson(state) }]);
    } catch (err) {
      await destination.remove(key);
      throw err;
    }
  }

  const gzip = (text: string) => gzipSync(Buffer.from(text, 'utf8'));

  /** The events of the next log file: beyond the cursor, in order, within the file's count and size. */
  async function readLogRows(cursor: number): Promise<StoredEvent[]> {
    const rows: StoredEvent[] = [];
    let chars = 0;
    for (let after = cursor; rows.length < EVENTS_PER_FILE;) {
      const want = Math.min(READ_PAGE, EVENTS_PER_FILE - rows.length);
      const page = await deps.store().readSince(after, want);
      for (const row of page) {
        if (rows.length > 0 && chars + row.json.length + 1 > MAX_LOG_FILE_CHARS) return rows;
        rows.push(row);
        chars += row.json.length + 1;
      }
      if (page.length < want) break;
      after = page[page.length - 1].seq;
    }
    return rows;
  }

  /** The next log file: the pending one, or one built from the events beyond the cursor. */
  async function nextLog(state: TrailState): Promise<PendingLog | undefined> {
    if (pendingLog) return pendingLog;
    const rows = await readLogRows(state.cursor);
    if (rows.length === 0) return undefined;
    const text = `{"Records":[${rows.map((r) => r.json).join(',')}]}`;
    const key = logFileKey(location, clock.now());
    pendingLog = {
      object: { key, body: gzip(text) },
      entry: {
        s3Bucket: bucket,
        s3Object: key,
        hashValue: sha256Hex(text),
        hashAlgorithm: HASH_ALGORITHM,
        newestEventTime: rfc3339(Math.max(...rows.map((r) => r.timeMs))),
        oldestEventTime: rfc3339(Math.min(...rows.map((r) => r.timeMs))),
      },
      cursor: rows[rows.length - 1].seq,
    };
    return pendingLog;
  }

  async function deliverLogsLocked(): Promise<string[]> {
    const state = await loadState();
    const written: string[] = [];
    for (let log = await nextLog(state); log; log = await nextLog(state)) {
      await destination.put(log.object);
      pendingLog = undefined;
      const record: StorageOp = { op: 'put', key: logFileRecordKey(state.nextPending), value: encodeJson(log.entry) };
      state.nextPending++;
      state.cursor = log.cursor;
      state.latestDeliveryMs = clock.now();
      await recordDelivered(state, [record], log.object.key);
      written.push(log.object.key);
    }
    return written;
  }

  /**
   * The next digest: the pending one, or one covering every log file not yet in a digest; none
   * while the clock is still in the second the last digest ended in (or behind it). Digest keys
   * carry the end time to the second, so a digest must not reuse that second, and one dated ahead
   * of the clock would list files that a validator asked about "now" does not look for.
   */
  async function nextDigest(state: TrailState): Promise<PendingDigest | undefined> {
    if (pendingDigest) return pendingDigest;
    const last = state.lastDigest;
    const endMs = Math.floor(clock.now() / 1000) * 1000;
    if (last && endMs <= last.endMs) return undefined;
    const key = digestFileKey(location, config.name, endMs);
    const signer = await deps.keys.active();
    const logFiles = await pendingLogFiles(state);
    const digest = buildDigest({
      accountId: location.accountId,
      startMs: last?.endMs ?? Math.floor(state.startMs / 1000) * 1000,
      endMs,
      bucket,
      key,
      fingerprint: signer.fingerprint,
      previous: last && { bucket: last.bucket, key: last.key, hash: last.hash, signature: last.signature },
      logFiles,
      ledger: deps.ledgerHead?.(),
    });
    const text = JSON.stringify(digest);
    const hash = sha256Hex(text);
    const signature = signer.sign(digestStringToSign(digest, hash));
    pendingDigest = {
      object: { key, body: gzip(text), metadata: { signature, 'signature-algorithm': DIGEST_SIGNATURE_ALGORITHM } },
      from: state.firstPending,
      to: state.nextPending,
      link: { bucket, key, hash, signature, endMs },
    };
    return pendingDigest;
  }

  async function writeDigestLocked(): Promise<string | undefined> {
    const state = await loadState();
    const digest = await nextDigest(state);
    if (!digest) return undefined;
    await destination.put(digest.object);
    pendingDigest = undefined;
    // Log files delivered while the digest was pending stay for the next one.
    const covered: StorageOp[] = [];
    for (let n = digest.from; n < digest.to; n++) covered.push({ op: 'delete', key: logFileRecordKey(n) });
    await recordDelivered({ ...state, firstPending: digest.to, lastDigest: digest.link }, covered, digest.object.key);
    return digest.object.key;
  }

  /** Counts a failure, and reports the first of an episode; the code is all that is kept. */
  function failed(err: unknown): string {
    const code = deliveryErrorCode(err);
    attempts.failedAttempts = (attempts.failedAttempts ?? 0) + 1;
    if (attempts.failedAttempts === 1) deps.onHealth?.({ type: 'failing', trail: config.name, code });
    return code;
  }

  function succeeded(): void {
    const failures = attempts.failedAttempts;
    if (failures === undefined) return;
    delete attempts.failedAttempts;
    deps.onHealth?.({ type: 'recovered', trail: config.name, failedAttempts: failures });
  }

  /** Runs a log delivery, noting its attempt time and outcome for GetTrailStatus. */
  async function noteDelivery<T>(fn: () => Promise<T>): Promise<T> {
    attempts.latestDeliveryAttemptMs = clock.now();
    try {
      const out = await fn();
      delete attempts.latestDeliveryError;
      succeeded();
      return out;
    } catch (err) {
      attempts.latestDeliveryError = failed(err);
      throw err;
    }
  }

  async function noteDigest(): Promise<string | undefined> {
    try {
      const key = await writeDigestLocked();
      if (key === undefined) return undefined;
      delete attempts.latestDigestError;
      succeeded();
      return key;
    } catch (err) {
      attempts.latestDigestError = failed(err);
      throw err;
    }
  }

  return {
    config,
    /** Creates the trail's state (its cursor starts at the store's current end). */
    init: () => serial(async () => { await loadState(); }),
    deliverLogs: (): Promise<DeliveryResult> => serial(async () => ({ logFiles: await noteDelivery(deliverLogsLocked) })),
    /**
     * Delivers pending events, then writes a digest covering every log file since the last one,
     * unless the last digest ended in this second (nextDigest): its files wait for the next.
     */
    deliverAndDigest: (): Promise<DeliveryResult> =>
      serial(async () => {
        const logFiles = await noteDelivery(deliverLogsLocked);
        const digestFile = await noteDigest();
        return digestFile === undefined ? { logFiles } : { logFiles, digestFile };
      }),
    /** The trail's delivery status (read without waiting for a delivery in progress). */
    async status(): Promise<TrailStatus> {
      const state = await getJson<TrailState>(deps.storage, stateKey);
      const status: TrailStatus = { startMs: state?.startMs ?? clock.now(), ...attempts };
      if (state?.latestDeliveryMs !== undefined) status.latestDeliveryMs = state.latestDeliveryMs;
      if (state?.lastDigest) status.latestDigestMs = state.lastDigest.endMs;
      return status;
    },
    /** Objects built but not yet stored (a log file, a digest), for tests and status. */
    pending: () => ({ logFile: pendingLog?.object.key, digestFile: pendingDigest?.object.key }),
    /** Waits for the operation in progress (used at shutdown). */
    idle: () => serial(async () => undefined),
  };
}

export type TrailWriter = ReturnType<typeof createTrailWriter>;
