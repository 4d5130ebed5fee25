/**
 * The validator's view of an S3 bucket: objects by GetObject, a digest's signature from its object
 * metadata (`x-amz-meta-signature`, `x-amz-meta-signature-algorithm`, as aws-cli reads them), and
 * the digest chains found by listing `<prefix>/AWSLogs/<account>/CloudTrail-Digest/`.
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DigestMetadata } from '../delivery/digest-file.js';
import { chainsFromKeys, digestMetadata, MAX_OBJECT_BYTES, type DigestChainLocation, type ObjectReader } from './local-objects.js';

export { MAX_OBJECT_BYTES };

/** Listing pages (1000 keys each) read at most, per listing: a bound on a huge or hostile bucket. */
export const MAX_LIST_PAGES = 1000;
/** Reads a body, refusing one past MAX_OBJECT_BYTES whatever its Content-Length claimed. */
async function readBounded(body: AsyncIterable<Uint8Array> & { destroy?: () => void }, where: string): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_OBJECT_BYTES) {
      body.destroy?.();
      throw new Error(`${where} is larger than ${MAX_OBJECT_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const isMissing = (err: unknown) => {
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.$metadata?.httpStatusCode === 404;
};

export function s3Objects(client: S3Client): ObjectReader {
  const metadataOf = new Map<string, DigestMetadata | undefined>();
  const read = async (bucket: string, key: string): Promise<Buffer | undefined> => {
    try {
      const answer = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      metadataOf.set(`${bucket}/${key}`, digestMetadata(answer.Metadata ?? {}));
      return await readBounded(answer.Body as AsyncIterable<Uint8Array> & { destroy?: () => void }, `s3://${bucket}/${key}`);
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  };
  return {
    get: read,
    // The validator reads a digest before its metadata: the metadata comes from that same GET.
    async metadata(bucket, key) {
      const id = `${bucket}/${key}`;
      if (!metadataOf.has(id)) await read(bucket, key);
      return metadataOf.get(id);
    },
  };
}

async function listAll(client: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_LIST_PAGES; page++) {
    const answer = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of answer.Contents ?? []) if (o.Key) keys.push(o.Key);
    if (!answer.IsTruncated || !answer.NextContinuationToken) return keys;
    token = answer.NextContinuationToken;
  }
  throw new Error(`more than ${MAX_LIST_PAGES} pages of objects under s3://${bucket}/${prefix}`);
}

/**
 * Digest chains under `<prefix>/AWSLogs/`: with the account known, only its digest keys are
 * listed; without it, every key under AWSLogs/ (no Delimiter listing: S3-compatible stores
 * differ in how they answer one).
 */
export async function findS3DigestChains(client: S3Client, bucket: string, prefix: string, accountId?: string): Promise<DigestChainLocation[]> {
  const root = `${prefix === '' ? '' : `${prefix.replace(/\/+$/, '')}/`}AWSLogs/`;
  const keys = await listAll(client, bucket, accountId === undefined ? root : `${root}${accountId}/CloudTrail-Digest/`);
  return chainsFromKeys(bucket, keys);
}
