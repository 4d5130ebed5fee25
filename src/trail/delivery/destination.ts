/**
 * Where a trail's objects go: a local directory standing in for S3, or an S3 bucket. The writer
 * builds each object (key, gzip body, and for a digest its signature metadata) and hands it to
 * the destination chosen at wiring; it does not know which one it has.
 */
import type { DigestMetadata } from './digest-file.js';

/** What CloudTrail sets on its objects: gzip-compressed JSON. */
export const OBJECT_CONTENT_TYPE = 'application/json';
export const OBJECT_CONTENT_ENCODING = 'gzip';

export interface TrailObject {
  /** The S3 key (relative to the bucket). */
  key: string;
  /** The gzip-compressed JSON. */
  body: Buffer;
  /** A digest's signature, which CloudTrail keeps in the object's metadata. */
  metadata?: DigestMetadata;
}

export interface DeliveryDestination {
  readonly kind: 'directory' | 's3';
  readonly bucket: string;
  /** Stores the object whole (a reader never sees part of it), or throws. */
  put(object: TrailObject): Promise<void>;
  /** Best effort: removes an object whose delivery could not be recorded. Never throws. */
  remove(key: string): Promise<void>;
  /** Releases connections (at shutdown). */
  close(): void;
}
