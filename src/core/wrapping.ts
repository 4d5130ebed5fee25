/**
 * Response wrapping (Vault's `X-Vault-Wrap-TTL`): instead of its response, the client gets a
 * single-use wrapping token; whoever holds the token can unwrap the response once, before the TTL
 * ends. The classic secure introduction: an orchestrator fetches a secret for an enclave without
 * ever seeing it, and the audit trail shows the wrap, the unwrap and who did each.
 *
 * The wrapped response is kept encrypted behind the barrier (`sys/wrapping/<token id hash>`: the
 * token's keyed hash, never its accessor, since storage keys are not encrypted) until it is
 * unwrapped; a wrapping token has the `response-wrapping` policy (unwrap and lookup only), one use
 * and the requested TTL. Responses whose token expired unused are swept when a later one is wrapped
 * (at most once a minute, 100 records at a time, each sweep going on where the last one stopped).
 */
import { invalid } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { rfc3339, rfc3339Nano } from '../lib/time.js';
import { getJson, putJson, type Storage } from '../storage/index.js';
import type { LifecycleTokens } from './contract/consumed.js';
import { RESPONSE_WRAPPING_POLICY_NAME } from './contract/policy-names.js';
import type { LogicalResponse, TokenEntry } from './contract/types.js';

/** Vault's bounds: a wrapping TTL of at least 1 s and at most 31 days (the system max TTL). */
export const MAX_WRAP_TTL_SECONDS = 31 * 24 * 3600;
const SWEEP_LIMIT = 100;
/** Sweeping reads records through the barrier: at most once a minute, not on every wrap. */
const SWEEP_INTERVAL_MS = 60_000;

interface Wrapped {
  response: LogicalResponse;
  creationPath: string;
  /** ms since epoch. */
  creationTime: number;
  /** The same instant with nanoseconds, as Vault shows it (absent on records from older versions). */
  creationTimeText?: string;
  ttl: number;
}

export interface WrapLookup {
  creation_ttl: number;
  creation_time: string;
  creation_path: string;
}

export interface Wrapping {
  /**
   * Moves records keyed by their token's accessor to the token's id hash (`idHashOf` finds it, or
   * undefined for a token gone, whose record is deleted); returns how many it moved.
   */
  migrate(idHashOf: (accessor: string) => Promise<string | undefined>): Promise<number>;
  /** Keeps `response` and answers with the wrap info of a new wrapping token instead. */
  wrap(response: LogicalResponse, creationPath: string, ttlSeconds: number): Promise<LogicalResponse>;
  /** The wrapped response, once: the record is deleted (the caller spends the token). */
  unwrap(token: TokenEntry): Promise<LogicalResponse>;
  /**
   * The wrapped response under a new wrapping token with the first one's TTL and creation path
   * (Vault's rewrap, to extend a wrap's life); the old record is deleted (the caller spends its token).
   */
  rewrap(token: TokenEntry): Promise<LogicalResponse>;
  lookup(token: TokenEntry): Promise<WrapLookup>;
  /** Deletes the response a wrapping token held, if any: the token was revoked or spent (by its id hash). */
  discard(idHash: string): Promise<void>;
}

export function isWrappingToken(entry: TokenEntry | undefined): entry is TokenEntry {
  return entry !== undefined && entry.policies.length === 1 && entry.policies[0] === RESPONSE_WRAPPING_POLICY_NAME;
}

const notWrapped = () => invalid('wrapping token is not valid or does not exist', 'wrapping_token_invalid');

export function createWrapping(deps: { storage: Storage; tokens: Pick<LifecycleTokens, 'create'>; clock: Clock }): Wrapping {
  const { storage, tokens, clock } = deps;

  async function find(token: TokenEntry): Promise<Wrapped> {
    if (!isWrappingToken(token)) throw notWrapped();
    const wrapped = await getJson<Wrapped>(storage, token.idHash);
    if (!wrapped) throw notWrapped();
    return wrapped;
  }

  let lastSweep = -Infinity;
  /** The last record the previous sweep read: each sweep goes on after it, so every record gets its turn. */
  let sweptUpTo = '';

  /** Deletes records whose token has expired unused; bounded per call, and at most once a minute. */
  async function sweep(): Promise<void> {
    const now = clock.now();
    if (now - lastSweep < SWEEP_INTERVAL_MS) return;
    lastSweep = now;
    const keys = (await storage.list('')).sort();
    const after = keys.filter((a) => a > sweptUpTo);
    const batch = (after.length > 0 ? after : keys).slice(0, SWEEP_LIMIT);
    // A short batch reached the end: the next sweep starts over.
    sweptUpTo = batch.length === SWEEP_LIMIT ? batch[batch.length - 1] : '';
    for (const key of batch) {
      const w = await getJson<Wrapped>(storage, key);
      if (w && w.creationTime + w.ttl * 1000 < now) await storage.delete(key);
    }
  }

  async function wrap(response: LogicalResponse, creationPath: string, ttlSeconds: number): Promise<LogicalResponse> {
    if (response.raw) throw invalid('this response cannot be wrapped', 'wrapping_unsupported');
    if (ttlSeconds < 1 || ttlSeconds > MAX_WRAP_TTL_SECONDS) throw invalid(`the wrapping TTL must be between 1s and ${MAX_WRAP_TTL_SECONDS}s`, 'wrapping_ttl_invalid');
    await sweep();
    const { id, entry } = await tokens.create({
      policies: [RESPONSE_WRAPPING_POLICY_NAME], ttl: ttlSeconds, numUses: 1, noParent: true, renewable: false,
      path: creationPath, displayName: '', metadata: {},
      // The wrap's TTL is checked above; the mount of the wrapped path does not bound it.
      limits: { defaultTtl: ttlSeconds, maxTtl: MAX_WRAP_TTL_SECONDS },
    });
    const creationNs = clock.nowNs();
    const creationTime = Number(creationNs / 1_000_000n);
    const creationTimeText = rfc3339Nano(creationNs);
    // A refusal's status is kept (a read of a deleted version unwraps as a 404, as Vault keeps a
    // raw response's status); a success is answered as one anyway.
    const { httpStatus, ...rest } = response;
    const kept = httpStatus !== undefined && httpStatus >= 400 ? response : rest;
    await putJson(storage, entry.idHash, { response: kept, creationPath, creationTime, creationTimeText, ttl: ttlSeconds } satisfies Wrapped);
    // As Vault: the wrap names the token it holds, so the audit links the creation to that token.
    const wrappedAccessor = response.issuedAuth?.accessor;
    return { wrapInfo: { token: id, accessor: entry.accessor, ttl: ttlSeconds, creationTime: creationTimeText, creationPath, ...(wrappedAccessor ? { wrappedAccessor } : {}) } };
  }

  return {
    async migrate(idHashOf) {
      let moved = 0;
      for (const key of await storage.list('')) {
        if (key.endsWith('/') || /^[0-9a-f]{64}$/.test(key)) continue;
        const record = await storage.get(key);
        const idHash = await idHashOf(key);
        if (record && idHash) await storage.transaction([{ op: 'put', key: idHash, value: record }, { op: 'delete', key }]);
        else await storage.delete(key);
        moved++;
      }
      return moved;
    },
    wrap,
    discard: (idHash) => storage.delete(idHash),
    async unwrap(token) {
      const wrapped = await find(token);
      await storage.delete(token.idHash);
      return wrapped.response;
    },
    async rewrap(token) {
      const wrapped = await find(token);
      // The new wrap first: a failure leaves the old one as it was.
      const rewrapped = await wrap(wrapped.response, wrapped.creationPath, wrapped.ttl);
      await storage.delete(token.idHash);
      return rewrapped;
    },
    async lookup(token) {
      const w = await find(token);
      return { creation_ttl: w.ttl, creation_time: w.creationTimeText ?? rfc3339(w.creationTime), creation_path: w.creationPath };
    },
  };
}
