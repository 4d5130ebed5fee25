/**
 * validate-logs: walks a trail's digest chain from the newest digest in the range to the oldest,
 * as aws-cli's DigestTraverser does — verify each digest (location, public key by fingerprint,
 * SHA256withRSA signature over the string to sign), follow previousDigestS3Object, and when a
 * digest is missing or invalid continue from the next older digest found on disk. For each valid
 * digest, every listed log file is read, gunzipped and its SHA-256 compared with hashValue.
 * Beyond aws-cli, a followed link is also checked: the older digest's hash and signature must be
 * the ones the newer (signed) digest recorded; and a digest naming a ledger checkpoint must carry
 * the checkpoint's own fields (and, given the ledger key, its signature), which is reported; a
 * followed link's older digest must not name a larger tree than the newer one does, nor another
 * root at the same size (a ledger rolled back or rewritten between the two).
 */
import { gunzipSync } from 'node:zlib';
import { digestStringToSign, type DigestFile, type DigestLogFile } from '../delivery/digest-file.js';
import { ledgerFieldProblem, ledgerRollbackProblem, type LedgerCheckpointField } from '../delivery/ledger-checkpoint.js';
import { digestKeyTimestamp } from '../delivery/object-keys.js';
import { sha256Hex, verifyHex } from '../keys/crypto.js';
import { nestsDeeper } from '../../lib/json-depth.js';
import { MAX_DIGEST_DEPTH, UnreadableObject, type DigestChainLocation, type ObjectReader } from './local-objects.js';
import type { PublicKeysByFingerprint } from './public-keys.js';
import { ValidationReport, type ReportSink } from './report.js';

export interface ValidateLogsOptions extends ReportSink {
  objects: ObjectReader;
  chain: DigestChainLocation;
  publicKeys: PublicKeysByFingerprint;
  startMs: number;
  endMs: number;
  verbose: boolean;
  /** The trail's ARN as its server names it; without it, one is built from the digest keys. */
  trailArn?: string;
  /** Checks a named ledger checkpoint's signature (the ledger's key); the reason when it fails. */
  checkLedgerNote?: (signedNote: string) => string | undefined;
}

export interface ValidateLogsResult {
  validDigests: number;
  invalidDigests: number;
  validLogs: number;
  invalidLogs: number;
  exitCode: number;
}

/** A log file that inflates past this is INVALID (invalid format): a gzip bomb in a hostile bucket. */
export const MAX_INFLATED_BYTES = 1024 * 1024 * 1024;
/**
 * A digest that inflates past this is INVALID (invalid format). A digest lists the log files of
 * one interval (an hour by default) at about 350 bytes each: 32 MiB is some 90,000 log files, where
 * a trail writes one per delivery (every 5 minutes by default) and one more per 5,000 events. Its
 * text is parsed before its signature can be checked.
 */
export const MAX_DIGEST_BYTES = 32 * 1024 * 1024;
const inflate = (raw: Buffer, max = MAX_INFLATED_BYTES) => gunzipSync(raw, { maxOutputLength: max });

class DigestInvalid extends Error {}
class DigestMissing extends Error {}

/** The end time a digest key names (YYYYMMDDTHHmmssZ before .json.gz), NaN when it names none. */
const keyTimeMs = (key: string): number => {
  const t = digestKeyTimestamp(key);
  if (!/^\d{8}T\d{6}Z$/.test(t)) return NaN;
  const ms = Date.UTC(+t.slice(0, 4), +t.slice(4, 6) - 1, +t.slice(6, 8), +t.slice(9, 11), +t.slice(11, 13), +t.slice(13, 15));
  return new Date(ms).toISOString().replace(/[-:]|\.\d+/g, '') === t ? ms : NaN;
};
const REQUIRED = ['digestPublicKeyFingerprint', 'digestS3Bucket', 'digestS3Object', 'previousDigestSignature', 'digestEndTime', 'digestStartTime'] as const;

/** What the newer digest that links to a digest recorded: its hash and signature, and the ledger checkpoint it names. */
interface ExpectedLink { hash: string | null; signature: string | null; ledger?: LedgerCheckpointField }

export async function validateLogs(opts: ValidateLogsOptions): Promise<ValidateLogsResult> {
  const { objects, chain } = opts;
  const report = new ValidationReport(opts, opts.verbose, opts.startMs, opts.endMs);
  report.startup(opts.trailArn ?? `arn:aws:cloudtrail:${chain.region}:${chain.accountId}:trail/${chain.trailName}`);
  // Digests whose key time is within [start, end + 1h] (logs delivered late spill into the next hour).
  const inRange = (keys: readonly string[]) => keys.filter((k) => keyTimeMs(k) >= Math.floor(opts.startMs / 1000) * 1000 && keyTimeMs(k) <= opts.endMs + 3600_000);

  const loadDigest = async (bucket: string, key: string, link?: ExpectedLink): Promise<DigestFile> => {
    const where = `Digest file\ts3://${bucket}/${key}`;
    const raw = await objects.get(bucket, key).catch((err: unknown) => {
      throw err instanceof UnreadableObject ? new DigestInvalid(`${where}\tINVALID: ${err.message}`) : err;
    });
    if (!raw) throw new DigestMissing(`${where}\tINVALID: not found`);
    let inflated: Buffer;
    let digest: DigestFile;
    try {
      inflated = inflate(raw, MAX_DIGEST_BYTES);
      const text = inflated.toString('utf8');
      if (nestsDeeper(text, MAX_DIGEST_DEPTH)) throw new DigestInvalid();
      digest = JSON.parse(text) as DigestFile;
    } catch {
      throw new DigestInvalid(`${where}\tINVALID: invalid format`);
    }
    const metadata = await objects.metadata(bucket, key).catch((err: unknown) => {
      if (err instanceof UnreadableObject) return undefined;
      throw err;
    });
    if (!metadata) throw new DigestInvalid(`${where}\tINVALID: signature verification failed`);
    if (report.backfill && metadata['backfill-generation-timestamp'] === undefined) throw new DigestInvalid(`${where}\tINVALID: invalid format`);
    if (typeof digest !== 'object' || digest === null || REQUIRED.some((f) => !(f in digest))) throw new DigestInvalid(`${where}\tINVALID: invalid format`);
    if (digest.digestS3Bucket !== bucket || digest.digestS3Object !== key) throw new DigestInvalid(`${where}\tINVALID: has been moved from its original location`);
    const publicKey = opts.publicKeys.get(digest.digestPublicKeyFingerprint);
    if (!publicKey) throw new DigestInvalid(`${where}\tINVALID: public key not found in region ${chain.region} for fingerprint ${digest.digestPublicKeyFingerprint}`);
    const hash = sha256Hex(inflated);
    if (!verifyHex(publicKey, digestStringToSign(digest, hash), metadata.signature)) throw new DigestInvalid(`${where}\tINVALID: signature verification failed`);
    if (link && (link.hash !== hash || link.signature !== metadata.signature)) throw new DigestInvalid(`${where}\tINVALID: hash value doesn't match`);
    const ledger = digest.sealtrailLedgerCheckpoint;
    if (ledger !== undefined) {
      const problem = ledgerFieldProblem(ledger) ?? opts.checkLedgerNote?.(ledger.signedNote)
        ?? (link?.ledger && ledgerRollbackProblem(ledger, link.ledger));
      if (problem) throw new DigestInvalid(`${where}\tINVALID: ${problem}`);
    }
    return digest;
  };

  const checkLog = async (log: DigestLogFile) => {
    let raw: Buffer | undefined;
    try {
      raw = await objects.get(log.s3Bucket, log.s3Object);
    } catch (err) {
      if (err instanceof UnreadableObject) return report.logInvalid(log.s3Bucket, log.s3Object, err.message);
      throw err;
    }
    if (!raw) return report.logInvalid(log.s3Bucket, log.s3Object, 'not found');
    let inflated: Buffer;
    try {
      inflated = inflate(raw);
    } catch {
      return report.logInvalid(log.s3Bucket, log.s3Object, 'invalid format');
    }
    if (sha256Hex(inflated) !== log.hashValue) return report.logInvalid(log.s3Bucket, log.s3Object, "hash value doesn't match");
    report.logValid(log.s3Bucket, log.s3Object);
  };

  /**
   * One chain of digests, newest first, as aws-cli's DigestTraverser walks it. A key that names
   * no end time cannot be placed in the chain or the range: it is INVALID whatever the range.
   */
  const walk = async (keys: readonly string[]) => {
    for (const key of keys.filter((k) => Number.isNaN(keyTimeMs(k)))) {
      report.digestInvalid(`Digest file\ts3://${chain.bucket}/${key}\tINVALID: its key does not end in a digest end time (YYYYMMDDTHHmmssZ.json.gz)`);
    }
    const digests = inRange(keys);
    const olderThan = (key: string): string | undefined => {
      const limit = keyTimeMs(key);
      while (digests.length > 0) {
        const next = digests.pop()!;
        if (keyTimeMs(next) < limit) return next;
      }
      return undefined;
    };
    let bucket = chain.bucket;
    let key = digests.pop();
    let link: ExpectedLink | undefined;
    let lastStartMs = key ? keyTimeMs(key) : 0;
    while (key && opts.startMs <= lastStartMs) {
      const current = key;
      try {
        const digest = await loadDigest(bucket, current, link);
        lastStartMs = Date.parse(digest.digestStartTime);
        report.digestValid(digest.digestS3Bucket, digest.digestS3Object, lastStartMs, Date.parse(digest.digestEndTime));
        if (digest.sealtrailLedgerCheckpoint) report.ledgerCheckpoint(digest.digestS3Bucket, digest.digestS3Object, digest.sealtrailLedgerCheckpoint, opts.checkLedgerNote !== undefined);
        for (const log of Array.isArray(digest.logFiles) ? digest.logFiles : []) await checkLog(log);
        if (digest.previousDigestS3Bucket === null || digest.previousDigestS3Object === null) {
          // The start of a chain: continue with any older digest (a gap, as aws-cli reports it).
          const next = olderThan(current);
          if (next) report.gap(`${new Date(keyTimeMs(next)).toISOString().slice(0, 19)}Z`, digest.digestStartTime);
          key = next;
          link = undefined;
        } else {
          bucket = digest.previousDigestS3Bucket;
          key = digest.previousDigestS3Object;
          link = { hash: digest.previousDigestHashValue, signature: digest.previousDigestSignature, ledger: digest.sealtrailLedgerCheckpoint };
        }
      } catch (err) {
        if (!(err instanceof DigestInvalid || err instanceof DigestMissing)) throw err;
        report.digestInvalid(err.message);
        key = olderThan(current);
        link = undefined;
      }
    }
  };

  await walk(chain.keys);
  // CloudTrail's backfill digests (Sealtrail writes none) are a chain of their own, walked next as aws-cli walks them.
  report.backfill = true;
  await walk(chain.backfillKeys);
  report.summary();
  return { validDigests: report.validDigests, invalidDigests: report.invalidDigests, validLogs: report.validLogs, invalidLogs: report.invalidLogs, exitCode: report.exitCode };
}
