/** Chooses a trail's destination from its configuration: its directory, or its S3 bucket. */
import type { TrailConfig } from '../../config/index.js';
import type { DeliveryDestination } from './destination.js';
import { directoryDestination } from './directory-destination.js';
import { s3Destination } from './s3-destination.js';

/** `region` is used when the s3 block names none (the server's kms.region). */
export function destinationFor(config: TrailConfig, region: string): DeliveryDestination {
  if (config.s3) return s3Destination({ ...config.s3, region: config.s3.region ?? region, bucket: config.bucket });
  if (config.directory !== undefined) return directoryDestination(config.directory, config.bucket);
  throw new Error(`trail "${config.name}" has no destination`);
}
