/**
 * LookupEvents' NextToken: an opaque string holding the position after the last returned event
 * and a hash of the query it belongs to. Presented with other parameters (another attribute or
 * time range) it is refused, as AWS refuses it (InvalidNextTokenException). MaxResults may change
 * between pages.
 */
import { createHash } from 'node:crypto';
import { SealtrailError } from '../../errors/index.js';
import type { EventCursor, EventQuery } from '../store/types.js';

const invalidToken = () => new SealtrailError('invalid', 'InvalidNextTokenException', 'Invalid NextToken.');

/** The parameters a token is bound to. */
export function queryHash(q: Pick<EventQuery, 'attribute' | 'startMs' | 'endMs'>): string {
  const canonical = JSON.stringify([q.attribute?.key ?? null, q.attribute?.value ?? null, q.startMs ?? null, q.endMs ?? null]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

export function encodeNextToken(cursor: EventCursor, hash: string): string {
  return Buffer.from(JSON.stringify({ v: 1, t: cursor.timeMs, s: cursor.seq, h: hash }), 'utf8').toString('base64url');
}

export function decodeNextToken(token: unknown, expectedHash: string): EventCursor {
  if (typeof token !== 'string' || token === '' || token.length > 512) throw invalidToken();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  const p = parsed as { v?: unknown; t?: unknown; s?: unknown; h?: unknown };
  if (p?.v !== 1 || !Number.isSafeInteger(p.t) || !Number.isSafeInteger(p.s) || typeof p.h !== 'string') throw invalidToken();
  if (p.h !== expectedHash) throw invalidToken();
  return { timeMs: p.t as number, seq: p.s as number };
}
