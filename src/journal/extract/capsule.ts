/**
 * Keys of the capsule logs' records (the wire form of secrets/capsule/log/records.ts). An access
 * record names its capsule (a load refused before the capsule's header was authenticated names
 * none: the id it claimed, `unverified_capsule`, is no key), the caller's session (derived from the token accessor, never the
 * accessor) and principal; it failed when it carries `error`. Its `location` is where the caller
 * keeps the capsule, not a request path, so it is no key. A control record (written for changes
 * made, so a success) has a session and the URL `/v1/<path>` of the change: that path joins the
 * audit entries of the same request; a session start also names the entity, and every control
 * record the HTTP method. The server's live records are keyed by these same functions.
 */
import type { JournalKeys } from '../types.js';
import { definedKeys, objectOf, stringOf, type JsonObject } from './values.js';

const API_PREFIX = '/v1/';

const pathOf = (url: string | undefined) => (url?.startsWith(API_PREFIX) ? url.slice(API_PREFIX.length) : url);

export function capsuleAccessKeys(record: JsonObject): JournalKeys {
  return definedKeys<JournalKeys>({
    requestId: stringOf(record, 'request_id'),
    capsule: stringOf(record, 'capsule'),
    session: stringOf(record, 'session'),
    entityId: stringOf(objectOf(record.principal), 'entity_id'),
    operation: stringOf(record, 'operation'),
    outcome: stringOf(record, 'error') !== undefined ? 'failure' : 'success',
  });
}

export function capsuleControlKeys(record: JsonObject): JournalKeys {
  const description = objectOf(record.description);
  return definedKeys<JournalKeys>({
    requestId: stringOf(record, 'request_id'),
    session: stringOf(record, 'session'),
    entityId: stringOf(description, 'entity_id'),
    path: pathOf(stringOf(record, 'url')),
    operation: stringOf(description, 'method'),
    outcome: 'success',
  });
}
