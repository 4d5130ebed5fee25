/**
 * Whether a record's index columns (kind, time, keys) are what its own text says. The ledger covers
 * the text only; searches, timelines and `ledger prove --request-id` go by the columns, so
 * `ledger verify` re-derives from each text every column the text determines and reports one that
 * differs. A column counts as derivable only when it is the same pure function of the text for a
 * live record (keyed from the server's facts) and an imported one (keyed from its text): a check
 * that a live record could fail would be a false alarm on an untouched journal. What stays
 * unchecked, and why, is in docs/journal.md (*What the ledger covers*).
 */
import type { JournalKeys } from '../types.js';
import { parseRfc3339Ns } from '../import/time.js';
import { capsuleAccessKeys, capsuleControlKeys } from './capsule.js';
import { cloudTrailKeys } from './cloudtrail.js';
import { objectOf, stringOf, type JsonObject } from './values.js';

/** A record's columns as stored: its kind, its time (ns, or RFC 3339 as the API shows it) and keys by column name. */
export interface StoredColumns {
  readonly kind: string;
  readonly time: bigint | string;
  readonly keys: Readonly<Record<string, string | null | undefined>>;
}

/** What a key column must hold: exactly a value (undefined: none), one of several, or anything. */
type Expected = string | undefined | { readonly oneOf: readonly string[] } | typeof UNCHECKED;
const UNCHECKED = Symbol('unchecked');

interface Derived {
  kind: string;
  /** The time the text states, and how far a live record's column may sit from it. */
  timeNs: bigint | undefined;
  earlyNs: bigint;
  lateNs: bigint;
  keys: { [K in keyof JournalKeys]?: Expected };
}

/**
 * A CloudTrail event and a capsule record are stamped twice: the text when the record is made,
 * the column when it reaches the journal (after the store's commit, for a capsule control record).
 * The column may also sit a little before the text: the journal's clock is the monotonic timer,
 * re-anchored to the wall clock only past 5 ms (lib/clock.ts). Five minutes either way covers both
 * and still reports a record moved by hours or days.
 */
const STAMP_SLACK_NS = 300n * 1_000_000_000n;
/** CloudTrail's `eventTime` is to the second, cut down from the call's time. */
const SECOND_NS = 1_000_000_000n;

/** The key columns, as KEY_COLUMNS of types.ts (repeated here: the check names the column). */
const COLUMNS: readonly (readonly [keyof JournalKeys, string])[] = [
  ['requestId', 'request_id'], ['accessor', 'accessor'], ['entityId', 'entity_id'], ['correlationId', 'correlation_id'],
  ['accessKeyId', 'access_key_id'], ['userArn', 'user_arn'], ['keyArn', 'key_arn'], ['capsule', 'capsule'],
  ['session', 'session'], ['remoteAddress', 'remote_address'], ['path', 'path'], ['operation', 'operation'], ['outcome', 'outcome'],
];

const exact = (keys: JournalKeys): Derived['keys'] => ({ ...keys });
const present = (...values: (string | undefined)[]) => values.filter((v): v is string => v !== undefined);

/**
 * A Vault-format entry. Kind, time, request id, path, operation and remote address are the entry's
 * own fields. The accessor and entity: the server keys a live entry by the token it is about (a
 * login's or a wrapped creation's new token, otherwise the caller's), an import by the first the
 * entry names, so a stored one must be one the entry names; a creation whose new token has no
 * entity leaves the column empty while the caller's is named, so an empty column is not reported.
 * An entry with `error` failed; a response without one may have failed too (a 404 is answered
 * without an error message), so only a request entry's outcome is checked both ways. The
 * correlation id is the plain id, which a device may have hashed in the text: not checked.
 */
function vaultEntry(entry: JsonObject, type: 'request' | 'response'): Derived {
  const auth = objectOf(entry.auth);
  const request = objectOf(entry.request);
  const response = objectOf(entry.response);
  const responseAuth = objectOf(response?.auth);
  const failed = stringOf(entry, 'error') !== undefined;
  const accessors = present(stringOf(auth, 'accessor'), stringOf(request, 'client_token_accessor'), stringOf(responseAuth, 'accessor'),
    stringOf(objectOf(response?.wrap_info), 'accessor'));
  return {
    kind: type === 'request' ? 'vault-request' : 'vault-response',
    timeNs: timeOf(entry, 'time'),
    earlyNs: 0n,
    lateNs: 0n,
    keys: {
      requestId: stringOf(request, 'id'),
      accessor: { oneOf: accessors },
      entityId: { oneOf: present(stringOf(auth, 'entity_id'), stringOf(responseAuth, 'entity_id')) },
      correlationId: UNCHECKED,
      remoteAddress: stringOf(request, 'remote_address'),
      path: stringOf(request, 'path'),
      operation: stringOf(request, 'operation'),
      outcome: failed ? 'failure' : type === 'request' ? 'success' : UNCHECKED,
    },
  };
}

/**
 * A CloudTrail event: every key of cloudTrailKeys, as both a live and an imported event are keyed.
 * A call with an attested `Recipient` is keyed live by the entity the server maps that enclave to,
 * which the text does not hold: its entity id is not checked.
 */
function cloudTrailEvent(record: JsonObject): Derived {
  const keys: Derived['keys'] = exact(cloudTrailKeys(record));
  const recipient = objectOf(objectOf(record.additionalEventData)?.recipient);
  if (recipient !== undefined) keys.entityId = UNCHECKED;
  return { kind: 'cloudtrail', timeNs: timeOf(record, 'eventTime'), earlyNs: STAMP_SLACK_NS, lateNs: SECOND_NS + STAMP_SLACK_NS, keys };
}

/**
 * An attestation record names its request, correlation id, entity, mount, platform and verdict.
 * The caller's remote address is a key of the record but not in its text: not checked.
 */
function attestation(record: JsonObject): Derived {
  const mount = stringOf(record, 'mount');
  const platform = stringOf(record, 'platform');
  return {
    kind: 'attestation',
    timeNs: timeOf(record, 'time'),
    earlyNs: 0n,
    lateNs: 0n,
    keys: {
      requestId: stringOf(record, 'request_id'),
      correlationId: stringOf(record, 'correlation_id'),
      entityId: stringOf(record, 'entity_id'),
      remoteAddress: UNCHECKED,
      path: mount !== undefined && platform !== undefined ? `${mount}v0/attest/${platform}/auth` : UNCHECKED,
      operation: 'attest',
      outcome: stringOf(record, 'verdict') === 'granted' ? 'success' : 'failure',
    },
  };
}

/** A server event: its name, and the outcome its name implies (a reload's depends on what it met: not checked). */
function serverEvent(record: JsonObject): Derived {
  const event = stringOf(record, 'event');
  return {
    kind: 'server',
    timeNs: timeOf(record, 'time'),
    earlyNs: 0n,
    lateNs: 0n,
    keys: { operation: event, outcome: event === 'reload' ? UNCHECKED : event?.endsWith('_failing') ? 'failure' : 'success' },
  };
}

function timeOf(record: JsonObject, field: string): bigint | undefined {
  const text = stringOf(record, field);
  return text === undefined ? undefined : parseRfc3339Ns(text);
}

/** What the text says, by the same tests the importers apply to tell the kinds apart. */
function derive(record: JsonObject): Derived | undefined {
  const type = record.type;
  if (type === 'request' || type === 'response') return vaultEntry(record, type);
  if (type === 'attestation') return attestation(record);
  if (type === 'server') return serverEvent(record);
  const access = typeof record.operation === 'string' && typeof record.domain === 'string';
  const control = typeof record.url === 'string' && typeof record.summary === 'string';
  if (access !== control) {
    return { kind: access ? 'capsule-access' : 'capsule-control', timeNs: timeOf(record, 'time'), earlyNs: STAMP_SLACK_NS, lateNs: STAMP_SLACK_NS,
      keys: exact(access ? capsuleAccessKeys(record) : capsuleControlKeys(record)) };
  }
  if (typeof record.eventTime === 'string') return cloudTrailEvent(record);
  return undefined;
}

function parsed(text: string): JsonObject | undefined {
  try {
    return objectOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}

const stored = (value: string | null | undefined) => (value === null || value === '' ? undefined : value);

function matches(expected: Expected, value: string | undefined): boolean {
  if (expected === UNCHECKED) return true;
  if (typeof expected === 'object') return value === undefined || expected.oneOf.includes(value);
  return expected === value;
}

/**
 * The first column of a record that is not what its text says, by its name (`kind`, `time_ns`,
 * `request_id`, ...), or undefined when every derivable column agrees. Never a value: keys are
 * hashed or plain identifiers, but the message stays the same whatever the record holds.
 */
export function storedColumnsProblem(text: string, columns: StoredColumns): string | undefined {
  const record = parsed(text);
  // Every record the server makes or imports is of a kind below; a text of none names no column.
  const derived = record && derive(record);
  if (derived === undefined) return undefined;
  if (derived.kind !== columns.kind) return 'kind';
  const timeNs = typeof columns.time === 'bigint' ? columns.time : parseRfc3339Ns(columns.time);
  if (derived.timeNs !== undefined
    && (timeNs === undefined || timeNs < derived.timeNs - derived.earlyNs || timeNs > derived.timeNs + derived.lateNs)) return 'time_ns';
  for (const [key, column] of COLUMNS) {
    if (!matches(derived.keys[key], stored(columns.keys[column]))) return column;
  }
  return undefined;
}
