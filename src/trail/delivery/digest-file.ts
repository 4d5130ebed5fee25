/**
 * The digest file: AWS's fields in AWS's order, and the string CloudTrail signs for it —
 *
 *   digestEndTime + "\n" + digestS3Bucket + "/" + digestS3Object + "\n"
 *     + hex(sha256(uncompressed digest file)) + "\n" + previousDigestSignature ("null" for the first)
 *
 * Log file hashes (`logFiles[].hashValue`) and `previousDigestHashValue` are SHA-256 of the
 * uncompressed file contents, as aws-cli's validator computes them. Beyond AWS's fields, a digest
 * may name the journal ledger's checkpoint (ledger-checkpoint.ts), last; the signature covers it
 * through the hash of the whole file, and AWS's validator ignores it.
 */
import { rfc3339 } from '../../lib/time.js';
import { ledgerCheckpointField, type LedgerCheckpointField, type LedgerHead } from './ledger-checkpoint.js';

export const DIGEST_SIGNATURE_ALGORITHM = 'SHA256withRSA';
export const HASH_ALGORITHM = 'SHA-256';

export interface DigestLogFile {
  s3Bucket: string;
  s3Object: string;
  hashValue: string;
  hashAlgorithm: string;
  newestEventTime: string;
  oldestEventTime: string;
}

export interface DigestFile {
  awsAccountId: string;
  digestStartTime: string;
  digestEndTime: string;
  digestS3Bucket: string;
  digestS3Object: string;
  digestPublicKeyFingerprint: string;
  digestSignatureAlgorithm: string;
  newestEventTime: string | null;
  oldestEventTime: string | null;
  previousDigestS3Bucket: string | null;
  previousDigestS3Object: string | null;
  previousDigestHashValue: string | null;
  previousDigestHashAlgorithm: string | null;
  previousDigestSignature: string | null;
  logFiles: DigestLogFile[];
  sealtrailLedgerCheckpoint?: LedgerCheckpointField;
}

export interface PreviousDigest {
  bucket: string;
  key: string;
  /** hex sha256 of its uncompressed contents */
  hash: string;
  signature: string;
}

export interface DigestInput {
  accountId: string;
  startMs: number;
  endMs: number;
  bucket: string;
  key: string;
  fingerprint: string;
  previous?: PreviousDigest;
  logFiles: DigestLogFile[];
  /** The ledger checkpoint current at the digest's end, when the server keeps a ledger. */
  ledger?: LedgerHead;
}

const maxOf = (xs: string[]) => (xs.length === 0 ? null : xs.reduce((a, b) => (b > a ? b : a)));
const minOf = (xs: string[]) => (xs.length === 0 ? null : xs.reduce((a, b) => (b < a ? b : a)));

export function buildDigest(input: DigestInput): DigestFile {
  const p = input.previous;
  return {
    awsAccountId: input.accountId,
    digestStartTime: rfc3339(input.startMs),
    digestEndTime: rfc3339(input.endMs),
    digestS3Bucket: input.bucket,
    digestS3Object: input.key,
    digestPublicKeyFingerprint: input.fingerprint,
    digestSignatureAlgorithm: DIGEST_SIGNATURE_ALGORITHM,
    // ISO-8601 `...Z` strings of equal length compare correctly as text.
    newestEventTime: maxOf(input.logFiles.map((f) => f.newestEventTime)),
    oldestEventTime: minOf(input.logFiles.map((f) => f.oldestEventTime)),
    previousDigestS3Bucket: p?.bucket ?? null,
    previousDigestS3Object: p?.key ?? null,
    previousDigestHashValue: p?.hash ?? null,
    previousDigestHashAlgorithm: p ? HASH_ALGORITHM : null,
    previousDigestSignature: p?.signature ?? null,
    logFiles: input.logFiles,
    ...(input.ledger ? { sealtrailLedgerCheckpoint: ledgerCheckpointField(input.ledger) } : {}),
  };
}

/** What the signature covers; `digestSha256Hex` is the hash of the uncompressed digest JSON. */
export function digestStringToSign(
  digest: Pick<DigestFile, 'digestEndTime' | 'digestS3Bucket' | 'digestS3Object' | 'previousDigestSignature'>,
  digestSha256Hex: string,
): string {
  return `${digest.digestEndTime}\n${digest.digestS3Bucket}/${digest.digestS3Object}\n${digestSha256Hex}\n${digest.previousDigestSignature ?? 'null'}`;
}

/** The S3 object metadata CloudTrail sets on a digest, kept beside it as `<digest>.metadata.json`. */
export interface DigestMetadata {
  signature: string;
  'signature-algorithm': string;
  /** Only a backfill digest's (CloudTrail's, read by validate-logs): when it was made. */
  'backfill-generation-timestamp'?: string;
}

export const METADATA_SUFFIX = '.metadata.json';
