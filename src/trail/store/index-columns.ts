/**
 * The plaintext index columns of a record: what LookupEvents can filter on. Resource names are
 * indexed by ARN and, for KMS ARNs (`...:key/<id>`, `...:alias/<name>`), by the bare id too, so a
 * lookup by key id finds the events the same way a lookup by ARN does.
 */
import type { CloudTrailRecord } from '../format.js';
import type { TrailUserIdentity } from '../model.js';

export interface IndexColumns {
  eventId: string;
  eventName: string;
  readOnly: 'true' | 'false';
  username: string;
  eventSource: string;
  accessKeyId: string;
  resourceNames: string[];
  resourceTypes: string[];
}

export function indexColumns(record: CloudTrailRecord): IndexColumns {
  const names = new Set<string>();
  const types = new Set<string>();
  for (const r of record.resources) {
    if (r.ARN) {
      names.add(r.ARN);
      const m = /:(?:key|alias)\/(.+)$/.exec(r.ARN);
      if (m) names.add(m[1]);
    }
    if (r.type) types.add(r.type);
  }
  const identity: Partial<TrailUserIdentity> = record.userIdentity;
  return {
    eventId: record.eventID,
    eventName: record.eventName,
    readOnly: record.readOnly ? 'true' : 'false',
    username: identity.userName ?? '',
    eventSource: record.eventSource,
    accessKeyId: identity.accessKeyId ?? '',
    resourceNames: [...names],
    resourceTypes: [...types],
  };
}
