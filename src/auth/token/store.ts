/**
 * The token store. Storage layout (inside the barrier view it is given, e.g. `sys/token/`):
 *
 *   id/<hmac(id)>                                  the TokenEntry (the id itself is never stored)
 *   accessor/<hmac(accessor)>                      { idHash, accessor }
 *   parent/<hmac(parentAccessor)>/<hmac(accessor)> an empty marker: the children index revokeTree walks
 *
 * Keys are not encrypted by the barrier (values are), so no accessor appears in one: whoever reads
 * a copy of the storage must not learn the accessors — with an accessor, any token allowed
 * `auth/token/revoke-accessor` could revoke the root token. Accessors are keyed by an HMAC under
 * the token hash key (with its own prefix), as Vault keys them by a salted hash. `migrate` moves an
 * index written with plain accessors to this layout.
 *
 * Every request looks its token up. The keyed hash costs an HMAC (~2.5 µs in Node), so lookups go
 * through an in-memory index from an unkeyed SHA-256 of the id (~0.4 µs) to its keyed hash: the
 * mapping never changes, and like the keyed hash it cannot be turned back into the id. Raw ids
 * are never kept. Entries handed out are frozen: they are shared with the cache. Mutations
 * (create, use, renew, revoke) run one at a time, so a use racing a revoke can never write a
 * revoked token back.
 */
import { deepFreeze } from '../../lib/immutable.js';
import { invalid, permissionDenied } from '../../errors/index.js';
import type { Clock } from '../../lib/clock.js';
import { randomBase62 } from '../../lib/ids.js';
import { createSerializer } from '../../lib/keyed-lock.js';
import type { RenewalGrant, TokenEntry } from '../../core/index.js';
import { getJson, putJson, type Storage, type StorageOp } from '../../storage/index.js';
import { tokenDigest, tokenHasher } from './hash.js';
import { LruMap } from '../../lib/lru.js';
import { sanitizePolicies } from './policies.js';
import { BUILT_IN_TTL_LIMITS, calculateTtl, type TtlLimits } from './ttl.js';
import type { CreateTokenOptions, TokenStore } from './types.js';

export interface ManagedTokenStore extends TokenStore {
  /** All accessors (auth/token/accessors). */
  listAccessors(): Promise<string[]>;
  /** Moves index entries keyed by plain accessors to their hashed keys; returns how many tokens it moved. */
  migrate(): Promise<number>;
  /**
   * Revokes (with their descendants) every token past its expiry; returns how many were expired.
   * Stops early when `signal` aborts (the server is sealing).
   */
  tidy(signal?: AbortSignal): Promise<number>;
  /**
   * Revokes (with their descendants) every token issued at a path under `prefix`: the logins of an
   * auth method being disabled, as Vault revokes them. Returns how many it revoked.
   */
  revokeIssuedUnder(prefix: string): Promise<number>;
}

export interface TokenStoreOptions {
  storage: Storage;
  clock: Clock;
  /** HMAC key for token ids (kept in the barrier). */
  hashKey: Uint8Array;
  /** Cached entries (default 10 000). */
  cacheSize?: number;
  /**
   * The default and max ttl for a token issued at `path` (the issuing auth mount's, else the
   * server's); asked at creation and at every renewal, so a tune applies to existing tokens.
   */
  ttlLimits?: (path: string) => TtlLimits;
  /** Rejects when the auth method that issued the token refuses its renewal (Backend.authorizeRenewal). */
  authorizeRenewal?: (entry: TokenEntry) => Promise<RenewalGrant | void>;
  /**
   * Told after a token is deleted (revoked, with its parent, expired and tidied), with its id hash:
   * what belongs to the token alone (its cubbyhole) goes with it. A failure is the callee's to report.
   */
  onDeleted?: (idHash: string) => Promise<void>;
}

/**
 * `numUses` of a token whose last use is counted: Vault's tokenRevocationPending. The request that
 * spent it still runs with it (a cubbyhole read on the last use returns the value, as in Vault);
 * no other request can use it, and it is revoked when that request is done (revokeSpent), or by
 * the tidy pass if the process stopped first.
 */
export const SPENT = -1;
const SERVICE_PREFIX = 'hvs.';
const ACCESSOR_RE = /^[A-Za-z0-9.]{1,128}$/;
/**
 * How many ancestors a token may have. A token is live only while every ancestor is, and revoking
 * one revokes its descendants: the parent walk and the revocation both stop at this depth (which
 * also guards them against a corrupted, cyclic index), so no chain may be deeper, or its far end
 * would outlive the revocation or expiry of the token it descends from.
 */
const MAX_DEPTH = 64;
/**
 * A token's metadata and display name are written unhashed into both audit entries of every
 * request it makes (Vault's rule), and whoever may create a token chooses them: bounded, so that
 * a small request cannot make megabytes of audit.
 */
const MAX_META_KEYS = 64;
const MAX_META_BYTES = 16 * 1024;
/** The longest `display_name` a caller may send (auth/token/create checks it, create.ts). */
export const MAX_DISPLAY_NAME_BYTES = 1024;
/**
 * The longest display name stored: a caller's name with what the server puts before it
 * (`token-`, a login's mount path, `kms-`), so that no name a caller may send is refused here.
 */
const MAX_STORED_DISPLAY_NAME_BYTES = 2 * MAX_DISPLAY_NAME_BYTES;

function checkDescription(meta: Readonly<Record<string, string>>, displayName: string): void {
  const entries = Object.entries(meta);
  const bytes = entries.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v), 0);
  if (entries.length > MAX_META_KEYS || bytes > MAX_META_BYTES) {
    throw invalid(`token metadata is limited to ${MAX_META_KEYS} keys and ${MAX_META_BYTES} bytes of keys and values`, 'token_metadata_too_large');
  }
  if (Buffer.byteLength(displayName) > MAX_STORED_DISPLAY_NAME_BYTES) {
    throw invalid(`a token's display name is limited to ${MAX_STORED_DISPLAY_NAME_BYTES} bytes`, 'display_name_too_long');
  }
}

const idKey = (hash: string) => `id/${hash}`;
/** Index keys take accessor hashes (`accessorHash`), never accessors. */
const accessorKey = (accessorHash: string) => `accessor/${accessorHash}`;
const childKey = (parentHash: string, childHash: string) => `parent/${parentHash}/${childHash}`;
/** An accessor hash: 64 hex digits, which no accessor (24 base62 characters) can be. */
const HASHED = /^[0-9a-f]{64}$/;

/** Cached entries are deeply frozen: the audit devices keep text derived from them (isDeepFrozen). */
function freeze(entry: TokenEntry): TokenEntry {
  return deepFreeze(entry);
}

export function createTokenStore(opts: TokenStoreOptions): ManagedTokenStore {
  const { storage, clock } = opts;
  const limitsFor = opts.ttlLimits ?? (() => BUILT_IN_TTL_LIMITS);
  const hash = tokenHasher(opts.hashKey);
  const accessorHash = tokenHasher(opts.hashKey, 'accessor:');
  const byHash = new LruMap<string, TokenEntry>(opts.cacheSize ?? 10_000);
  const hashByAccessor = new LruMap<string, string>(opts.cacheSize ?? 10_000);
  const hashByDigest = new LruMap<string, string>(opts.cacheSize ?? 10_000);

  /** hash(id), remembered by the id's SHA-256 (see the header comment). */
  function keyedHashOf(id: string): string {
    const key = tokenDigest(id);
    let idHash = hashByDigest.get(key);
    if (idHash === undefined) hashByDigest.set(key, (idHash = hash(id)));
    return idHash;
  }

  const serialize = createSerializer();
  /** Tokens whose last use this process counted and whose request is still running (tidy leaves them to it). */
  const spending = new Set<string>();

  /** Bumped on every write and delete, so a read that raced a revocation does not re-cache the revoked entry. */
  let epoch = 0;

  const expired = (e: TokenEntry) => e.expireTime !== 0 && e.expireTime <= clock.now();

  /** The stored entry, live or not. */
  async function loadRaw(idHash: string): Promise<TokenEntry | undefined> {
    const cached = byHash.get(idHash);
    if (cached) return cached;
    const seen = epoch;
    const stored = await getJson<TokenEntry>(storage, idKey(idHash));
    if (!stored) return undefined;
    const entry = freeze(stored);
    if (seen === epoch) {
      byHash.set(idHash, entry);
      hashByAccessor.set(entry.accessor, idHash);
    }
    return entry;
  }

  async function hashOfAccessor(accessor: string): Promise<string | undefined> {
    if (!ACCESSOR_RE.test(accessor)) return undefined;
    const cached = hashByAccessor.get(accessor);
    if (cached) return cached;
    const rec = await getJson<{ idHash: string }>(storage, accessorKey(accessorHash(accessor)));
    if (rec) hashByAccessor.set(accessor, rec.idHash);
    return rec?.idHash;
  }

  /** The id hash an index entry (by accessor hash) names. */
  async function idHashAt(childHash: string): Promise<string | undefined> {
    return (await getJson<{ idHash: string }>(storage, accessorKey(childHash)))?.idHash;
  }

  /**
   * The entry if it and all its ancestors are live. A child never outlives its parent (Vault
   * revokes the tree when a parent expires); expired tokens are revoked here, lazily.
   */
  async function liveEntry(idHash: string, depth = 0): Promise<TokenEntry | undefined> {
    const entry = await loadRaw(idHash);
    // A spent token serves only the request that spent it, which holds its entry already.
    if (!entry || entry.numUses === SPENT) return undefined;
    if (expired(entry)) {
      await serialize(() => revokeTreeLocked(entry));
      return undefined;
    }
    if (entry.parentAccessor !== undefined && depth < MAX_DEPTH) {
      const parentHash = await hashOfAccessor(entry.parentAccessor);
      if (!parentHash || !(await liveEntry(parentHash, depth + 1))) {
        await serialize(() => revokeTreeLocked(entry));
        return undefined;
      }
    }
    return entry;
  }

  function forget(entry: TokenEntry): void {
    byHash.delete(entry.idHash);
    hashByAccessor.delete(entry.accessor);
  }

  /** How many ancestors `entry` has, counted up to MAX_DEPTH + 1. */
  async function ancestorCount(entry: TokenEntry): Promise<number> {
    let count = 0;
    let cur: TokenEntry | undefined = entry;
    while (cur?.parentAccessor !== undefined && count <= MAX_DEPTH) {
      const parentHash = await hashOfAccessor(cur.parentAccessor);
      cur = parentHash ? await loadRaw(parentHash) : undefined;
      count++;
    }
    return count;
  }

  /** The accessor hashes of a token's children. */
  async function childHashes(accessor: string): Promise<string[]> {
    return (await storage.list(`parent/${accessorHash(accessor)}/`)).filter((k) => !k.endsWith('/'));
  }

  /** Deletes a token and, depth first, all its descendants. Caller holds the mutation lock. */
  async function revokeTreeLocked(entry: TokenEntry, depth = 0): Promise<void> {
    const parentHash = accessorHash(entry.accessor);
    for (const child of await childHashes(entry.accessor)) {
      const childIdHash = await idHashAt(child);
      const childEntry = childIdHash ? await loadRaw(childIdHash) : undefined;
      if (childEntry && depth < MAX_DEPTH) await revokeTreeLocked(childEntry, depth + 1);
      else await storage.transaction([{ op: 'delete', key: childKey(parentHash, child) }, { op: 'delete', key: accessorKey(child) }]);
    }
    await deleteOne(entry);
  }

  async function deleteOne(entry: TokenEntry): Promise<void> {
    const ops: StorageOp[] = [
      { op: 'delete', key: idKey(entry.idHash) },
      { op: 'delete', key: accessorKey(accessorHash(entry.accessor)) },
    ];
    if (entry.parentAccessor !== undefined) ops.push({ op: 'delete', key: childKey(accessorHash(entry.parentAccessor), accessorHash(entry.accessor)) });
    epoch++;
    forget(entry);
    await storage.transaction(ops);
    epoch++;
    forget(entry);
    await opts.onDeleted?.(entry.idHash);
  }

  async function write(entry: TokenEntry): Promise<TokenEntry> {
    const frozen = freeze(entry);
    await putJson(storage, idKey(frozen.idHash), frozen);
    epoch++;
    byHash.set(frozen.idHash, frozen);
    return frozen;
  }

  /** The current stored state of `entry`, refusing tokens revoked (or spent) meanwhile. */
  async function current(entry: TokenEntry): Promise<TokenEntry> {
    const cur = await loadRaw(entry.idHash);
    // A spent token is not renewed by its last request, as in Vault (renew-self: "token not found").
    if (!cur || expired(cur) || cur.numUses === SPENT) throw invalid('token not found', 'token_not_found');
    return cur;
  }

  // `grantedTtl`: what the issuing auth method's login would grant now (its role's current TTL), in
  // place of the TTL the token was issued with, as Vault's auth methods answer a renewal.
  const renewLocked = (entry: TokenEntry, increment: number | undefined, grantedTtl: number | undefined) => serialize(async () => {
    const cur = await current(entry);
    if (!cur.renewable) throw invalid('lease is not renewable', 'not_renewable');
    const now = clock.now();
    const ttl = calculateTtl({
      requested: increment ?? 0, original: grantedTtl ?? cur.ttl, period: cur.period, explicitMaxTtl: cur.explicitMaxTtl,
      isRoot: cur.policies.includes('root'), creationTime: cur.creationTime, now, limits: limitsFor(cur.path),
    });
    return { entry: await write({ ...cur, expireTime: now + ttl * 1000, lastRenewalTime: now }), ttl };
  });

  /** Revokes, with its descendants, every stored token that `doomed` picks; returns how many. */
  async function revokeWhere(doomed: (entry: TokenEntry) => boolean, signal?: AbortSignal): Promise<number> {
    let count = 0;
    for (const key of await storage.list('id/')) {
      if (signal?.aborted) break;
      // Read past the cache, so a pass over every token does not evict the ones in use.
      const stored = () => getJson<TokenEntry>(storage, idKey(key));
      const entry = byHash.get(key) ?? await stored();
      if (!entry || !doomed(entry)) continue;
      await serialize(async () => {
        const cur = await stored(); // still there: not revoked with its parent meanwhile
        if (!cur) return;
        count++;
        await revokeTreeLocked(cur);
      });
    }
    return count;
  }

  async function createLocked(opts: CreateTokenOptions): Promise<{ id: string; entry: TokenEntry }> {
    const numUses = opts.numUses ?? 0;
    if (!Number.isInteger(numUses) || numUses < 0) throw invalid('number of uses cannot be negative', 'invalid_num_uses');
    if (opts.type === 'batch') throw invalid('batch tokens are not supported', 'unsupported_token_type');
    const id = opts.id ?? SERVICE_PREFIX + randomBase62(24);
    if (id.trim() === '') throw invalid('token id cannot be empty', 'invalid_token_id');
    const idHash = hash(id);
    if ((await loadRaw(idHash)) !== undefined) throw invalid('cannot create a token with a duplicate ID', 'duplicate_token_id');
    const meta = { ...(opts.metadata ?? {}) };
    const displayName = opts.displayName ?? 'token';
    checkDescription(meta, displayName);
    const policies = sanitizePolicies(opts.policies ?? [], false);
    const now = clock.now();
    const period = opts.period ?? 0;
    const explicitMaxTtl = opts.explicitMaxTtl ?? 0;
    const ttl = calculateTtl({
      requested: opts.ttl ?? 0, period, explicitMaxTtl, isRoot: policies.includes('root'), creationTime: now, now,
      limits: opts.limits ?? limitsFor(opts.path),
    });
    const parent = opts.noParent ? undefined : opts.parent;
    if (parent) {
      // Revoked (or expired) while the request creating its child ran: that child would be born
      // revoked, yet handed out. As Vault, the creation is refused.
      const current = await loadRaw(parent.idHash);
      if (!current || expired(current)) throw permissionDenied('token_revoked');
    }
    if (parent && (await ancestorCount(parent)) + 1 > MAX_DEPTH) {
      throw invalid(`a token may have at most ${MAX_DEPTH} ancestors: create it from a token nearer its root, or as an orphan`, 'token_chain_too_deep');
    }
    const entry: TokenEntry = {
      idHash,
      accessor: randomBase62(24),
      ...(parent ? { parentAccessor: parent.accessor } : {}),
      policies,
      path: opts.path,
      meta,
      displayName,
      numUses,
      creationTime: now,
      ttl,
      explicitMaxTtl,
      period,
      // Vault: a token that never expires is not advertised as renewable.
      renewable: ttl === 0 ? false : (opts.renewable ?? true),
      expireTime: ttl === 0 ? 0 : now + ttl * 1000,
      entityId: opts.entityId ?? (parent ? parent.entityId : ''),
      type: 'service',
      orphan: parent === undefined,
    };
    const ops: StorageOp[] = [
      { op: 'put', key: idKey(idHash), value: Buffer.from(JSON.stringify(entry)) },
      { op: 'put', key: accessorKey(accessorHash(entry.accessor)), value: Buffer.from(JSON.stringify({ idHash, accessor: entry.accessor })) },
    ];
    if (parent) ops.push({ op: 'put', key: childKey(accessorHash(parent.accessor), accessorHash(entry.accessor)), value: new Uint8Array(0) });
    await storage.transaction(ops);
    const frozen = freeze(entry);
    byHash.set(idHash, frozen);
    hashByAccessor.set(frozen.accessor, idHash);
    return { id, entry: frozen };
  }

  return {
    async lookup(id) {
      if (typeof id !== 'string' || id === '') return undefined;
      return liveEntry(keyedHashOf(id));
    },

    async isStored(entry) {
      const cur = await loadRaw(entry.idHash);
      return cur !== undefined && !expired(cur);
    },

    async lookupByAccessor(accessor) {
      const idHash = typeof accessor === 'string' ? await hashOfAccessor(accessor) : undefined;
      return idHash ? liveEntry(idHash) : undefined;
    },

    create: (createOpts) => serialize(() => createLocked(createOpts)),

    async use(entry) {
      // num_uses only ever goes down, so an entry that says "unlimited" is still unlimited.
      if (entry.numUses === 0) return { remainingUses: 0, lastUse: false };
      return serialize(async () => {
        const cur = await loadRaw(entry.idHash);
        // Another request spent the last use (or revoked the token) in the meantime.
        if (!cur || expired(cur) || cur.numUses === SPENT) throw permissionDenied('token_revoked');
        if (cur.numUses === 0) return { remainingUses: 0, lastUse: false };
        const left = cur.numUses - 1;
        if (left === 0) {
          spending.add(cur.idHash);
          await write({ ...cur, numUses: SPENT });
          return { remainingUses: 0, lastUse: true };
        }
        await write({ ...cur, numUses: left });
        return { remainingUses: left, lastUse: false };
      });
    },

    revokeSpent: (entry) => serialize(async () => {
      try {
        const cur = await loadRaw(entry.idHash);
        if (cur) await revokeTreeLocked(cur);
      } finally {
        spending.delete(entry.idHash);
      }
    }),

    revokeTree: (entry) => serialize(async () => {
      const cur = await loadRaw(entry.idHash);
      if (cur) await revokeTreeLocked(cur);
    }),

    revokeOrphan: (entry) => serialize(async () => {
      const cur = await loadRaw(entry.idHash);
      if (!cur) return;
      for (const child of await childHashes(cur.accessor)) {
        const childIdHash = await idHashAt(child);
        const childEntry = childIdHash ? await loadRaw(childIdHash) : undefined;
        if (childEntry) {
          const { parentAccessor: _dropped, ...rest } = childEntry;
          await write({ ...rest, orphan: true });
        }
        await storage.delete(childKey(accessorHash(cur.accessor), child));
      }
      await deleteOne(cur);
    }),

    renew: async (entry, increment) => {
      // Asked outside the mutation lock: the auth method reads its own storage.
      const grant = await opts.authorizeRenewal?.(entry);
      return renewLocked(entry, increment, grant ? grant.ttl : undefined);
    },

    clearCache() {
      byHash.clear();
      hashByAccessor.clear();
      hashByDigest.clear();
    },

    async listAccessors() {
      const out: string[] = [];
      for (const key of await storage.list('accessor/')) {
        if (key.endsWith('/')) continue;
        const accessor = (await getJson<{ accessor?: string }>(storage, accessorKey(key)))?.accessor;
        if (accessor !== undefined) out.push(accessor);
      }
      return out.sort();
    },

    migrate: () => serialize(async () => {
      let moved = 0;
      // Children first: each marker moves under its parent's hashed key.
      for (const parent of await storage.list('parent/')) {
        if (!parent.endsWith('/') || HASHED.test(parent.slice(0, -1))) continue;
        const plainParent = parent.slice(0, -1);
        const ops: StorageOp[] = [];
        for (const child of await storage.list(`parent/${parent}`)) {
          if (child.endsWith('/')) continue;
          ops.push({ op: 'delete', key: `parent/${plainParent}/${child}` });
          ops.push({ op: 'put', key: childKey(accessorHash(plainParent), HASHED.test(child) ? child : accessorHash(child)), value: new Uint8Array(0) });
        }
        if (ops.length > 0) await storage.transaction(ops);
      }
      for (const key of await storage.list('accessor/')) {
        if (key.endsWith('/') || HASHED.test(key)) continue;
        const rec = await getJson<{ idHash: string }>(storage, accessorKey(key));
        const ops: StorageOp[] = [{ op: 'delete', key: accessorKey(key) }];
        if (rec) ops.push({ op: 'put', key: accessorKey(accessorHash(key)), value: Buffer.from(JSON.stringify({ idHash: rec.idHash, accessor: key })) });
        await storage.transaction(ops);
        moved++;
      }
      return moved;
    }),

    // A spent token whose request is over (its revocation failed, or the process stopped first).
    tidy: (signal) => revokeWhere((entry) => expired(entry) || (entry.numUses === SPENT && !spending.has(entry.idHash)), signal),

    revokeIssuedUnder: (prefix) => revokeWhere((entry) => entry.path.startsWith(prefix)),
  };
}
