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
import { Readable, Transform, pipeline } from 'node:stream';
import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { TrailS3Config } from '../../config/index.js';
import { OBJECT_CONTENT_ENCODING, OBJECT_CONTENT_TYPE, type DeliveryDestination } from './destination.js';
import { DEFAULT_PUT_RETRY, withRetries, type RetryLimits } from './retry.js';

/**
 * Time to open a connection, and for a whole request, before the attempt counts as failed. The
 * SDK's `requestTimeout` alone only logs a warning: an endpoint that took a PUT and never
 * answered would hold the trail's delivery (and the server's stop) forever. Each attempt is
 * aborted at its deadline, and a socket idle that long is closed.
 */
export const S3_CONNECT_TIMEOUT_MS = 5_000;
export const S3_REQUEST_TIMEOUT_MS = 30_000;

/**
 * What a delivery reads of an answer: a PutObject's is empty, an error's a small XML document. The
 * SDK gathers a whole answer in memory, so an endpoint with an endless body would grow the server
 * by ~100 MB/s until it died.
 */
export const S3_DELIVERY_RESPONSE_BYTES = 1024 * 1024;

export interface S3DestinationOptions extends TrailS3Config {
  bucket: string;
  /** The region when the configuration names none. */
  region: string;
  retry?: RetryLimits;
  /** S3_REQUEST_TIMEOUT_MS unless given. */
  requestTimeoutMs?: number;
}

/**
 * An S3 client whose every answer is bounded: in time (connect, idle socket, whole request) and in
 * size (`maxResponseBytes` of body, past which the answer fails and its connection is closed).
 */
export function createS3Client(options: TrailS3Config & { region: string; maxResponseBytes: number; requestTimeoutMs?: number }): S3Client {
  // The SDK's notice that its releases after January 2027 will need Node 22 goes to stderr, into
  // the server's JSON log and every `trail validate-logs` run; Sealtrail supports Node 20, so the
  // SDK's own switch turns it off (unless the environment sets the switch otherwise).
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const requestTimeout = options.requestTimeoutMs ?? S3_REQUEST_TIMEOUT_MS;
  const client = new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    maxAttempts: 1,
    requestHandler: { connectionTimeout: S3_CONNECT_TIMEOUT_MS, requestTimeout, throwOnRequestTimeout: true, socketTimeout: requestTimeout },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: { ...options.credentials } } : {}),
  });
  // Innermost in the deserialize step: it sees the answer before the SDK reads its body.
  client.middlewareStack.add((next) => async (args) => {
    const result = await next(args);
    const response = result.response as { body?: unknown };
    if (response.body instanceof Readable) response.body = boundedBody(response.body, options.maxResponseBytes);
    return result;
  }, { step: 'deserialize', name: 'sealtrailBoundedResponseBody', priority: 'low' });
  return client;
}

/** `body` passed through until it exceeds `max` bytes; then both fail and the socket is closed. */
function boundedBody(body: Readable, max: number): Readable {
  let seen = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > max ? new Error(`the S3 answer is larger than ${max} bytes`) : null, chunk);
    },
  });
  pipeline(body, limiter, () => undefined);
  return limiter;
}


export function s3Destination(options: S3DestinationOptions): DeliveryDestination {
  const client = createS3Client({ ...options, maxResponseBytes: S3_DELIVERY_RESPONSE_BYTES });
  // Each attempt is aborted at its deadline, whatever the SDK's handler does.
  const deadline = S3_CONNECT_TIMEOUT_MS + (options.requestTimeoutMs ?? S3_REQUEST_TIMEOUT_MS);
  const oneAttempt = () => ({ abortSignal: AbortSignal.timeout(deadline) });
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
      }), oneAttempt()), retry);
    },
    async remove(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }), oneAttempt()).catch(() => undefined);
    },
    close: () => client.destroy(),
  };
}
