import { visibleText } from './visible-text.js';

/** The journal API's record view (GET sys/journal/records). */
export interface JournalRecord {
  readonly seq: number;
  readonly time: string;
  readonly kind: string;
  readonly request_id: string | null;
  readonly accessor: string | null;
  readonly entity_id: string | null;
  readonly correlation_id: string | null;
  readonly access_key_id: string | null;
  readonly user_arn: string | null;
  readonly key_arn: string | null;
  readonly capsule: string | null;
  readonly session: string | null;
  readonly remote_address: string | null;
  readonly path: string | null;
  readonly operation: string | null;
  readonly outcome: string | null;
  /** Where an imported record came from; null for a record the server witnessed. */
  readonly imported?: { readonly file: string; readonly line: number } | null;
  readonly record?: unknown;
  readonly text?: string;
}

export interface RecordPage {
  readonly records: JournalRecord[];
  readonly next_cursor: string | null;
}

/** The identities a record carries that pivot the timeline, in display order. */
export const IDENTITY_KEYS = ['entity_id', 'accessor', 'correlation_id', 'request_id', 'key_arn', 'capsule'] as const;

/**
 * `file:line` of an imported record (its text is whatever a log file held, so it must never pass
 * for a record the server witnessed), with invisible characters escaped; undefined for a live one.
 */
export function importedFrom(r: Pick<JournalRecord, 'imported'>): string | undefined {
  const from = r.imported;
  return typeof from === 'object' && from !== null ? `${visibleText(String(from.file))}:${String(from.line)}` : undefined;
}

/** Vault's HMAC'd values: shown as such, never as if they were the value. */
export function isHmac(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('hmac-sha256:');
}

/** A record's JSON for display: the parsed view, else its raw text parsed, else the text itself. */
export function recordJson(r: Pick<JournalRecord, 'record' | 'text'>): unknown {
  if (r.record !== undefined) return r.record;
  if (r.text === undefined) return null;
  try {
    return JSON.parse(r.text);
  } catch {
    return r.text;
  }
}
