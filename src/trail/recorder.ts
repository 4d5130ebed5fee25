/**
 * The TrailRecorder the KMS edge calls for every AWS call: format the CloudTrail record, append it
 * to the durable store (resolving after the commit). Trails deliver from the store by cursor, so
 * an event recorded is an event a trail will deliver, even across a restart.
 */
import { formatCloudTrailRecord } from './format.js';
import type { TrailRecorder } from './model.js';
import type { EventStore } from './store/types.js';

export interface TrailRecorderDeps {
  /** A getter: the store exists only while unsealed. */
  store: () => EventStore;
}

export function createTrailRecorder(deps: TrailRecorderDeps): TrailRecorder {
  return {
    async record(event) {
      await deps.store().append({ record: formatCloudTrailRecord(event), timeMs: event.eventTime });
    },
  };
}
