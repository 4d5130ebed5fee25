/**
 * One trail: delivers the events the store holds beyond its cursor as gzip log files, and writes
 * signed digest files chained to the previous one. Its state (cursor, the log files not yet in a
 * digest, the last digest's link) lives in the storage given (inside the barrier), so the chain
 * continues across restarts. Operations on one trail run one at a time.
 *
 * An object counts as delivered once the state records it. If that record cannot be saved, the
 * objects just written are removed again: the same events go out in the next delivery, and a
 * digest that the chain does not know about never lingers in the bucket.
 */
import type { TrailConfig } from '../../config/index.js';
import type { Clock } from '../../lib/clock.js';
import { createSerializer } from '../../lib/keyed-lock.js';
import { rfc3339 } from '../../lib/time.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import { sha256Hex } from '../keys/crypto.js';
import type { SigningKeys } from '../keys/signing-keys.js';
import type { EventStore } from '../store/types.js';
import { buildDigest, DIGEST_SIGNATURE_ALGORITHM, digestStringToSign, HASH_ALGORITHM, METADATA_SUFFIX, type DigestLogFile, type DigestMetadata, type PreviousDigest } from './digest-file.js';
import { objectPath, removeObject, writeGzipObject, writeObject } from './files.js';
import { digestFileKey, logFileKey, type TrailLocation } from './object-keys.js';

/** A trail as configured (a `trail "<name>" { ... }` block). */
export type { TrailConfig };

export interface TrailState {
  /** Highest event seq already delivered. */
  cursor: number;
  /** Start of the first digest period. */
  startMs: number;
  pendingLogs: DigestLogFile[];
  lastDigest?: PreviousDigest & { endMs: number };
  /** When log files were last delivered. */
  latestDeliveryMs?: number;
}

/** What GetTrailStatus reports: times from the saved state, attempts and errors since start. */
export interface TrailStatus {
  startMs: number;
  latestDeliveryMs?: number;
  latestDeliveryAttemptMs?: number;
  /** An error code (ENOSPC, EACCES, ...) of the last failed log delivery, cleared by a success. */
  latestDeliveryError?: string;
  latestDigestMs?: number;
  latestDigestError?: string;
}

export interface DeliveryResult {
  /** S3 keys (relative to the bucket) written by this call. */
  logFiles: string[];
  digestFile?: string;
}

export interface TrailWriterDeps {
  config: TrailConfig;
  location: TrailLocation;
  store: () => EventStore;
  keys: SigningKeys;
  storage: Storage;
  clock: Clock;
}

/** Events per log file: large enough for a busy interval, small enough to build in memory. */
const EVENTS_PER_FILE = 5000;

/** A code, never a message: messages carry file paths, which are not the caller's to see. */
const errorCode = (err: unknown): string => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,31}$/.test(code) ? code : 'DeliveryFailed';
};

export function createTrailWriter(deps: TrailWriterDeps) {
  const { config, location, clock } = deps;
  const stateKey = `trails/${config.name}/state`;
  const attempts: Omit<TrailStatus, 'startMs' | 'latestDeliveryMs' | 'latestDigestMs'> = {};
  const serial = createSerializer();

  const loadState = async (): Promise<TrailState> => {
    const existing = await getJson<TrailState>(deps.storage, stateKey);
    if (existing) return existing;
    // A new trail logs from its creation on, as a CloudTrail trail does.
    const fresh: TrailState = { cursor: deps.store().lastSeq(), startMs: clock.now(), pendingLogs: [] };
    await putJson(deps.storage, stateKey, fresh);
    return fresh;
  };

  /** Saves the state that records `paths` as delivered; removes them if it cannot. */
  async function recordDelivered(state: TrailState, paths: readonly string[]): Promise<void> {
    try {
      await putJson(deps.storage, stateKey, state);
    } catch (err) {
      for (const path of paths) await removeObject(path);
      throw err;
    }
  }

  async function deliverLogsLocked(): Promise<string[]> {
    const state = await loadState();
    const written: string[] = [];
    for (;;) {
      const rows = deps.store().readSince(state.cursor, EVENTS_PER_FILE);
      if (rows.length === 0) break;
      const text = `{"Records":[${rows.map((r) => r.json).join(',')}]}`;
      const key = logFileKey(location, clock.now());
      const path = objectPath(config.directory, config.bucket, key);
      await writeGzipObject(path, text);
      state.pendingLogs.push({
        s3Bucket: config.bucket,
        s3Object: key,
        hashValue: sha256Hex(text),
        hashAlgorithm: HASH_ALGORITHM,
        newestEventTime: rfc3339(Math.max(...rows.map((r) => r.timeMs))),
        oldestEventTime: rfc3339(Math.min(...rows.map((r) => r.timeMs))),
      });
      state.cursor = rows[rows.length - 1].seq;
      state.latestDeliveryMs = clock.now();
      await recordDelivered(state, [path]);
      written.push(key);
    }
    return written;
  }

  async function writeDigestLocked(): Promise<string> {
    const state = await loadState();
    const last = state.lastDigest;
    // Digest keys carry the end time to the second: never reuse the previous digest's second.
    const endMs = Math.max(Math.floor(clock.now() / 1000) * 1000, last ? last.endMs + 1000 : 0);
    const key = digestFileKey(location, config.name, endMs);
    const signer = await deps.keys.active();
    const digest = buildDigest({
      accountId: location.accountId,
      startMs: last?.endMs ?? Math.floor(state.startMs / 1000) * 1000,
      endMs,
      bucket: config.bucket,
      key,
      fingerprint: signer.fingerprint,
      previous: last && { bucket: last.bucket, key: last.key, hash: last.hash, signature: last.signature },
      logFiles: state.pendingLogs,
    });
    const text = JSON.stringify(digest);
    const hash = sha256Hex(text);
    const signature = signer.sign(digestStringToSign(digest, hash));
    const path = objectPath(config.directory, config.bucket, key);
    await writeGzipObject(path, text);
    const metadata: DigestMetadata = { signature, 'signature-algorithm': DIGEST_SIGNATURE_ALGORITHM };
    try {
      await writeObject(path + METADATA_SUFFIX, Buffer.from(JSON.stringify(metadata), 'utf8'));
    } catch (err) {
      await removeObject(path);
      throw err;
    }
    state.pendingLogs = [];
    state.lastDigest = { bucket: config.bucket, key, hash, signature, endMs };
    await recordDelivered(state, [path, path + METADATA_SUFFIX]);
    return key;
  }

  /** Runs a log delivery, noting its attempt time and outcome for GetTrailStatus. */
  async function noteDelivery<T>(fn: () => Promise<T>): Promise<T> {
    attempts.latestDeliveryAttemptMs = clock.now();
    try {
      const out = await fn();
      delete attempts.latestDeliveryError;
      return out;
    } catch (err) {
      attempts.latestDeliveryError = errorCode(err);
      throw err;
    }
  }

  async function noteDigest(): Promise<string> {
    try {
      const key = await writeDigestLocked();
      delete attempts.latestDigestError;
      return key;
    } catch (err) {
      attempts.latestDigestError = errorCode(err);
      throw err;
    }
  }

  return {
    config,
    /** Creates the trail's state (its cursor starts at the store's current end). */
    init: () => serial(async () => { await loadState(); }),
    deliverLogs: (): Promise<DeliveryResult> => serial(async () => ({ logFiles: await noteDelivery(deliverLogsLocked) })),
    /** Delivers pending events, then writes a digest covering every log file since the last one. */
    deliverAndDigest: (): Promise<DeliveryResult> =>
      serial(async () => {
        const logFiles = await noteDelivery(deliverLogsLocked);
        return { logFiles, digestFile: await noteDigest() };
      }),
    /** The trail's delivery status (read without waiting for a delivery in progress). */
    async status(): Promise<TrailStatus> {
      const state = await getJson<TrailState>(deps.storage, stateKey);
      const status: TrailStatus = { startMs: state?.startMs ?? clock.now(), ...attempts };
      if (state?.latestDeliveryMs !== undefined) status.latestDeliveryMs = state.latestDeliveryMs;
      if (state?.lastDigest) status.latestDigestMs = state.lastDigest.endMs;
      return status;
    },
    /** Waits for the operation in progress (used at shutdown). */
    idle: () => serial(async () => undefined),
  };
}

export type TrailWriter = ReturnType<typeof createTrailWriter>;
