/**
 * GetTrailStatus's response body from a trail writer's status: timestamps as epoch seconds on the
 * wire, and the strings AWS still sends for its deprecated members (TimeLoggingStarted, ...) as
 * RFC 3339. Members with nothing to report are left out, as AWS leaves them out.
 */
import { rfc3339 } from '../lib/time.js';
import type { TrailStatus } from './delivery/trail-writer.js';

const seconds = (ms: number) => ms / 1000;

export function trailStatusShape(status: TrailStatus & { isLogging: boolean }): Record<string, unknown> {
  const out: Record<string, unknown> = { IsLogging: status.isLogging };
  if (status.latestDeliveryError) out.LatestDeliveryError = status.latestDeliveryError;
  if (status.latestDeliveryMs !== undefined) out.LatestDeliveryTime = seconds(status.latestDeliveryMs);
  if (status.latestDigestError) out.LatestDigestDeliveryError = status.latestDigestError;
  if (status.latestDigestMs !== undefined) out.LatestDigestDeliveryTime = seconds(status.latestDigestMs);
  out.StartLoggingTime = seconds(status.startMs);
  if (status.latestDeliveryAttemptMs !== undefined) {
    out.LatestDeliveryAttemptTime = rfc3339(status.latestDeliveryAttemptMs);
    if (!status.latestDeliveryError) out.LatestDeliveryAttemptSucceeded = rfc3339(status.latestDeliveryAttemptMs);
  }
  out.TimeLoggingStarted = rfc3339(status.startMs);
  return out;
}
