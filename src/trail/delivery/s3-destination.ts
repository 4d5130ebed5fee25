/**
 * The S3 destination: each object is one PutObject at CloudTrail's key, with the headers CloudTrail
 * sets (Content-Type application/json, Content-Encoding gzip) and, for a digest, its signature in
 * the object metadata (`x-amz-meta-signature`, `x-amz-meta-signature-algorithm`), where aws-cli's
 * validator reads it. A PUT replaces the whole object or nothing, so a reader never sees part of
 * one, and a retry of the same key and bytes cannot duplicate a file.
 *
 * The SDK's own retries are off: retries are ours (retry.ts), bounded, and the same for every
 * store. Credentials come from the configuration or the SDK's default chain and are never logged.
 */
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { TrailS3Config } from '../../config/index.js';
import { OBJECT_CONTENT_ENCODING, OBJECT_CONTENT_TYPE, type DeliveryDestination } from './destination.js';
import { DEFAULT_PUT_RETRY, withRetries, type RetryLimits } from './retry.js';

/** Time to open a connection, and for a whole request, before the attempt counts as failed. */
export const S3_CONNECT_TIMEOUT_MS = 5_000;
export const S3_REQUEST_TIMEOUT_MS = 30_000;

export interface S3DestinationOptions extends TrailS3Config {
  bucket: string;
  /** The region when the configuration names none. */
  region: string;
  retry?: RetryLimits;
}

export function createS3Client(options: TrailS3Config & { region: string }): S3Client {
  return new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: S3_CONNECT_TIMEOUT_MS, requestTimeout: S3_REQUEST_TIMEOUT_MS },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
  });
}

export function s3Destination(options: S3DestinationOptions): DeliveryDestination {
  const client = createS3Client(options);
  const retry = options.retry ?? DEFAULT_PUT_RETRY;
  const { bucket } = options;
  return {
    kind: 's3',
    bucket,
    async put({ key, body, metadata }) {
      await withRetries(() => client.send(new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: OBJECT_CONTENT_TYPE,
        ContentEncoding: OBJECT_CONTENT_ENCODING,
        ...(metadata ? { Metadata: { signature: metadata.signature, 'signature-algorithm': metadata['signature-algorithm'] } } : {}),
      })), retry);
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
    },
    close: () => client.destroy(),
  };
}
