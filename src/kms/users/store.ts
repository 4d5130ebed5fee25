/**
 * KMS users: each has one access key pair and a linked Sealtrail token carrying its Vault ACL
 * policies. Records live in the mount's encrypted storage (`users/<name>`), with an index
 * `access-keys/<id>` → user name. `resolve` (the SigV4 lookup on every AWS call) is served from
 * memory after the first hit; every write here updates or drops the cached entry, and a lookup
 * that raced a write does not fill the cache (a rotated or deleted access key stops at once, even
 * when storage answers a read after the write). Writes to one user (whatever the name's case) are
 * serialized, the linked token's re-minting included.
 *
 * The linked token is periodic (renewed on use when past half its period). If it is gone —
 * expired after a long idle, or revoked through the token API — the next call mints a new one:
 * the token is an implementation detail of the user; access ends by deleting the user or rotating
 * its key.
 */
import type { TokenStore } from '../../auth/index.js';
import type { TokenEntry } from '../../core/index.js';
import { invalid, notFound } from '../../errors/index.js';
import type { Clock } from '../../lib/clock.js';
import { keyedLock } from '../../lib/keyed-lock.js';
import { LruMap } from '../../lib/lru.js';
import { getJson, putJson, type Storage } from '../../storage/index.js';
import { userArn } from '../arn.js';
import { newAccessKeyId, newPrincipalId, newSecretAccessKey } from './credentials.js';
import { TOKEN_META_USER, type AccessKeyIdentity, type AccessKeyResolver, type KmsUserRecord } from './model.js';

export interface UserStoreDeps {
  storage: Storage;
  tokens: TokenStore;
  clock: Clock;
  accountId: string;
}

export interface UserStore extends AccessKeyResolver {
  get(name: string): Promise<KmsUserRecord | undefined>;
  /** The user of this name whatever its case (names are unique whatever their case, as in IAM). */
  find(name: string): Promise<KmsUserRecord | undefined>;
  list(): Promise<string[]>;
  /** Creates the user with a fresh key pair, or updates an existing user's policies. */
  upsert(name: string, policies: string[]): Promise<{ user: KmsUserRecord; created: boolean }>;
  /** A new key pair; the old access key stops working at once. */
  rotate(name: string): Promise<KmsUserRecord>;
  remove(name: string): Promise<void>;
  /**
   * The user whose linked token this is, or undefined. The binding is the user record's own
   * `tokenId`; nothing the token's holder can set (metadata, display name) is read.
   */
  userOfToken(token: TokenEntry): Promise<KmsUserRecord | undefined>;
  clearCache(): void;
}

export const USER_NAME_RE = /^[\w+=,.@-]{1,64}$/;
const PERIOD_SECONDS = 768 * 3600;
/** Access keys, and linked tokens, whose user is kept in memory. */
const USER_CACHE_ENTRIES = 10_000;
/** The path of every linked token: set by this store when minting, never by a caller. */
const LINKED_TOKEN_PATH = 'kms/users/';

export function createUserStore(deps: UserStoreDeps): UserStore {
  const { storage, tokens, clock, accountId } = deps;
  const cache = new LruMap<string, AccessKeyIdentity>(USER_CACHE_ENTRIES);
  /** Linked token accessor → its user; emptied by every write to a user. */
  const linked = new LruMap<string, KmsUserRecord>(USER_CACHE_ENTRIES);
  const userKey = (name: string) => `users/${name}`;
  // Names are unique whatever their case: one lock per lower-cased name.
  const lock = keyedLock();
  const locked = <T>(name: string, fn: () => Promise<T>) => lock(name.toLowerCase(), fn);
  /** Bumped before and after every write to a user: a lookup that spans one does not cache what it saw. */
  let generation = 0;
  const writing = async <T>(fn: () => Promise<T>): Promise<T> => {
    generation++;
    try {
      return await fn();
    } finally {
      generation++;
      linked.clear();
    }
  };
  const indexKey = (id: string) => `access-keys/${id}`;

  const checkName = (name: string) => {
    if (!USER_NAME_RE.test(name)) throw invalid('user names are 1-64 characters of letters, digits and +=,.@_-', 'invalid_user_name');
  };

  async function mintToken(name: string, policies: string[]): Promise<string> {
    const { id } = await tokens.create({
      policies, path: `${LINKED_TOKEN_PATH}${name}`, displayName: `kms-${name}`, noParent: true,
      period: PERIOD_SECONDS, metadata: { [TOKEN_META_USER]: name },
    });
    return id;
  }

  async function revokeToken(tokenId: string): Promise<void> {
    const entry = await tokens.lookup(tokenId);
    if (entry) await tokens.revokeOrphan(entry);
  }

  async function tokenAlive(tokenId: string): Promise<boolean> {
    const entry = await tokens.lookup(tokenId);
    if (!entry) return false;
    if (entry.expireTime !== 0 && entry.expireTime - clock.now() < (PERIOD_SECONDS * 1000) / 2) await tokens.renew(entry);
    return true;
  }

  /**
   * A live linked token: renewed past half its period, re-minted if gone. Undefined when the user
   * no longer has this access key (rotated or deleted meanwhile).
   */
  async function liveToken(user: KmsUserRecord): Promise<string | undefined> {
    if (await tokenAlive(user.tokenId)) return user.tokenId;
    return locked(user.name, async () => {
      const current = await store.get(user.name);
      if (!current || current.accessKeyId !== user.accessKeyId) return undefined;
      if (await tokenAlive(current.tokenId)) return current.tokenId;
      const tokenId = await mintToken(current.name, current.policies);
      await writing(() => putJson(storage, userKey(current.name), { ...current, tokenId }));
      return tokenId;
    });
  }

  const identity = (user: KmsUserRecord, token: string): AccessKeyIdentity => ({
    accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey, userName: user.name,
    arn: userArn(accountId, user.name), principalId: user.principalId, accountId, token,
  });

  async function newKeyPair(user: Omit<KmsUserRecord, 'accessKeyId' | 'secretAccessKey' | 'accessKeyCreatedAt'>): Promise<KmsUserRecord> {
    const record: KmsUserRecord = { ...user, accessKeyId: newAccessKeyId(), secretAccessKey: newSecretAccessKey(), accessKeyCreatedAt: clock.now() };
    await storage.transaction([
      { op: 'put', key: userKey(user.name), value: Buffer.from(JSON.stringify(record)) },
      { op: 'put', key: indexKey(record.accessKeyId), value: Buffer.from(user.name) },
    ]);
    return record;
  }

  const store: UserStore = {
    get: (name) => getJson<KmsUserRecord>(storage, userKey(name)),
    list: () => storage.list('users/'),
    async find(name) {
      const exact = await store.get(name);
      if (exact) return exact;
      const lower = name.toLowerCase();
      const other = (await store.list()).find((n) => n.toLowerCase() === lower);
      return other === undefined ? undefined : store.get(other);
    },
    upsert: (name, policies) => locked(name, () => writing(async () => {
      checkName(name);
      const existing = await store.get(name);
      if (existing) {
        await revokeToken(existing.tokenId);
        const updated = { ...existing, policies, tokenId: await mintToken(name, policies) };
        await putJson(storage, userKey(name), updated);
        cache.delete(existing.accessKeyId);
        return { user: updated, created: false };
      }
      // As in IAM, user names are unique whatever their case: a key policy naming `user/APP` and
      // one naming `user/app` must not be two principals.
      const lower = name.toLowerCase();
      const taken = (await store.list()).find((other) => other.toLowerCase() === lower);
      if (taken !== undefined) throw invalid(`a KMS user named "${taken}" exists: user names are unique whatever their case`, 'kms_user_name_taken');
      const tokenId = await mintToken(name, policies);
      const user = await newKeyPair({ name, policies, principalId: newPrincipalId(), tokenId, createdAt: clock.now() });
      return { user, created: true };
    })),
    rotate: (name) => locked(name, () => writing(async () => {
      const existing = await store.find(name);
      if (!existing) throw notFound(`no KMS user named "${name}"`, 'kms_user_not_found');
      cache.delete(existing.accessKeyId);
      const user = await newKeyPair(existing);
      await storage.delete(indexKey(existing.accessKeyId));
      cache.delete(existing.accessKeyId);
      return user;
    })),
    remove: (name) => locked(name, () => writing(async () => {
      const existing = await store.find(name);
      if (!existing) return;
      cache.delete(existing.accessKeyId);
      await storage.transaction([{ op: 'delete', key: indexKey(existing.accessKeyId) }, { op: 'delete', key: userKey(existing.name) }]);
      cache.delete(existing.accessKeyId);
      await revokeToken(existing.tokenId);
    })),
    async resolve(accessKeyId) {
      const cached = cache.get(accessKeyId);
      // The token store's lookup is a cached hash lookup; a gone token falls through to re-minting.
      if (cached && (await tokenAlive(cached.token))) return cached;
      const seen = generation;
      const raw = await storage.get(indexKey(accessKeyId));
      if (!raw) return undefined;
      const user = await store.get(Buffer.from(raw).toString('utf8'));
      if (!user || user.accessKeyId !== accessKeyId) return undefined;
      const token = await liveToken(user);
      if (token === undefined) return undefined;
      const found = identity(user, token);
      if (seen === generation) cache.set(accessKeyId, found);
      return found;
    },
    async userOfToken(token) {
      const known = linked.get(token.accessor);
      if (known) return known;
      if (!token.path.startsWith(LINKED_TOKEN_PATH)) return undefined;
      const seen = generation;
      const user = await store.get(token.path.slice(LINKED_TOKEN_PATH.length));
      const current = user && (await tokens.lookup(user.tokenId));
      if (!user || current?.accessor !== token.accessor) return undefined;
      if (seen === generation) linked.set(token.accessor, user);
      return user;
    },
    clearCache: () => {
      cache.clear();
      linked.clear();
    },
  };
  return store;
}
