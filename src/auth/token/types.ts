/** The token store's contract with the core lifecycle. */
import type { AuthGrant, TokenEntry, TokenTtlLimits, TokenType } from '../../core/index.js';

export interface CreateTokenOptions extends Partial<AuthGrant> {
  /** The creating token; the new token becomes its child unless `noParent`. */
  parent?: TokenEntry;
  noParent?: boolean;
  /** Explicit token id (root tokens in dev mode: -dev-root-token-id). */
  id?: string;
  path: string;
  type?: TokenType;
  period?: number;
  /** Bounds instead of those of the token's path (a response-wrapping token's are the wrap's own). */
  limits?: TokenTtlLimits;
}

export interface TokenStore {
  /** Finds a live token by id (hash lookup); undefined for unknown, revoked or expired tokens. */
  lookup(id: string): Promise<TokenEntry | undefined>;
  lookupByAccessor(accessor: string): Promise<TokenEntry | undefined>;
  /**
   * Whether the token is still stored and unexpired: live, or spent while its last request runs
   * (which lookups no longer find). What belongs to the token (its cubbyhole) lives as long.
   */
  isStored(entry: TokenEntry): Promise<boolean>;
  /** Creates a token; returns the id (shown once) and the stored entry. */
  create(opts: CreateTokenOptions): Promise<{ id: string; entry: TokenEntry }>;
  /**
   * Records one use; returns uses left (0 = unlimited or last use spent). The last use marks the
   * token spent: no other request can use it, and the caller revokes it with `revokeSpent` once the
   * request that spent it is done.
   */
  use(entry: TokenEntry): Promise<{ remainingUses: number; lastUse: boolean }>;
  /** Revokes, with its descendants, a token whose last use was counted (`use` said `lastUse`). */
  revokeSpent(entry: TokenEntry): Promise<void>;
  /** Revokes a token and all its descendants. */
  revokeTree(entry: TokenEntry): Promise<void>;
  /** Revokes only the token; its children become orphans. */
  revokeOrphan(entry: TokenEntry): Promise<void>;
  /** Extends a token's life; returns the stored entry and the TTL granted (seconds from the renewal). */
  renew(entry: TokenEntry, incrementSeconds?: number): Promise<{ entry: TokenEntry; ttl: number }>;
  /** Drops in-memory caches (on seal). */
  clearCache(): void;
}
