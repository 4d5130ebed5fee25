/**
 * LookupEvents' NextToken: an opaque string holding the position after the last returned event,
 * the newest seq the first page could see (so events recorded since never enter later pages, as
 * AWS's token pins its result set) and a hash of the query it belongs to. Presented with other parameters (another attribute or
 * time range) it is refused, as AWS refuses it (InvalidNextTokenException). MaxResults may change
 * between pages.
 */
import { createHash } from 'node:crypto';
import { SealtrailError } from '../../errors/index.js';
import type { EventCursor, EventQuery } from '../store/types.js';

/** Where the next page starts and which result set it belongs to. */
export interface PagePosition {
  after: EventCursor;
  throughSeq: number;
}

const invalidToken = () => new SealtrailError('invalid', 'InvalidNextTokenException', 'Invalid NextToken.');

/** The parameters a token is bound to. */
export function queryHash(q: Pick<EventQuery, 'attribute' | 'startMs' | 'endMs'>): string {
  const canonical = JSON.stringify([q.attribute?.key ?? null, q.attribute?.value ?? null, q.startMs ?? null, q.endMs ?? null]);
  return createHash('sha256').update(canonical).digest('base64url').slice(0, 22);
}

export function encodeNextToken(position: PagePosition, hash: string): string {
  const { after, throughSeq } = position;
  return Buffer.from(JSON.stringify({ v: 2, t: after.timeMs, s: after.seq, u: throughSeq, h: hash }), 'utf8').toString('base64url');
}

export function decodeNextToken(token: unknown, expectedHash: string): PagePosition {
  if (typeof token !== 'string' || token === '' || token.length > 512) throw invalidToken();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalidToken();
  }
  const p = parsed as { v?: unknown; t?: unknown; s?: unknown; u?: unknown; h?: unknown };
  if (p?.v !== 2 || !Number.isSafeInteger(p.t) || !Number.isSafeInteger(p.s) || !Number.isSafeInteger(p.u) || typeof p.h !== 'string') throw invalidToken();
  if (p.h !== expectedHash) throw invalidToken();
  return { after: { timeMs: p.t as number, seq: p.s as number }, throughSeq: p.u as number };
}
