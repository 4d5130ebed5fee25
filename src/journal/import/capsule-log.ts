/**
 * A capsule log record, one JSON object per line: the records the capsule log API returns
 * (`GET .../log/access`, `.../log/control`: `results[]`), written one per line, e.g.
 *   sealtrail capsule log access -format=json | jq -c '.results[]'
 * An access record has `operation` and `domain`, a control record `url` and `summary`; both
 * carry their id and RFC 3339 `time`.
 */
import { capsuleAccessKeys, capsuleControlKeys } from '../extract/capsule.js';
import { parseObject, Problem, timeOf, type Parsed } from './parsed.js';

export function parseCapsuleLogLine(text: string, terminated: boolean): Parsed {
  const record = parseObject(text, terminated);
  if (record instanceof Problem) return record;
  if (typeof record.id !== 'string' || record.id === '') return new Problem('missing "id"');
  const access = typeof record.operation === 'string' && typeof record.domain === 'string';
  const control = typeof record.url === 'string' && typeof record.summary === 'string';
  if (access === control) return new Problem('neither an access record (operation, domain) nor a control record (url, summary)');
  const timeNs = timeOf(record, 'time');
  if (timeNs instanceof Problem) return timeNs;
  return access
    ? { kind: 'capsule-access', timeNs, text, keys: capsuleAccessKeys(record) }
    : { kind: 'capsule-control', timeNs, text, keys: capsuleControlKeys(record) };
}
