/**
 * The opaque `cursor` of journal pages: where the last page ended, the snapshot it belongs to, and
 * a fingerprint of the filters and order it was issued for — a cursor used with other filters is
 * refused rather than silently paging a different result set. It grants nothing: every page is
 * checked by the ACL like the first, so it needs no MAC, only strict decoding.
 */
import { createHash } from 'node:crypto';
import { invalid } from '../errors/index.js';
import { MAX_TIME_NS, MIN_TIME_NS } from './import/time.js';
import type { JournalFilter, JournalOrder, JournalPosition } from './types.js';

export interface CursorState {
  after: JournalPosition;
  throughSeq: number;
}

/**
 * A stable fingerprint of the filters and order (bigints as decimal strings); `of` names what else
 * than a page of records the cursor continues (a timeline's cursor is no page's).
 */
export function filterFingerprint(filter: JournalFilter, order: JournalOrder, of?: 'timeline'): string {
  const canonical = JSON.stringify([order, filter.kinds ?? [], String(filter.sinceNs ?? ''), String(filter.untilNs ?? ''),
    Object.entries(filter.keys ?? {}).filter(([, v]) => v !== undefined).sort(), filter.pathPrefix ?? '', filter.imported ?? null,
    filter.requestIds ?? [], ...(of ? [of] : [])]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 16);
}

export function encodeCursor(state: CursorState, fingerprint: string): string {
  const body = JSON.stringify({ v: 1, t: String(state.after.timeNs), s: state.after.seq, th: state.throughSeq, f: fingerprint });
  return Buffer.from(body, 'utf8').toString('base64url');
}

const bad = () => invalid('"cursor" is not a cursor this query issued: start again without it', 'journal_invalid_cursor');
const isSeq = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
/** A record's time as the journal can hold it (before 1970 too): the store binds it as a 64-bit integer. */
const isTime = (v: unknown): v is string => typeof v === 'string' && /^-?\d{1,19}$/.test(v) && BigInt(v) >= MIN_TIME_NS && BigInt(v) <= MAX_TIME_NS;

export function decodeCursor(cursor: string, fingerprint: string): CursorState {
  if (cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null) throw bad();
  const { v, t, s, th, f } = parsed as Record<string, unknown>;
  if (v !== 1 || !isTime(t) || !isSeq(s) || !isSeq(th) || f !== fingerprint) throw bad();
  return { after: { timeNs: BigInt(t), seq: s }, throughSeq: th };
}
