/**
 * The KV v2 records as stored. Times are nanoseconds since the epoch as decimal strings (JSON has
 * no 64-bit integers); they are formatted as RFC 3339 only in responses (see views.ts).
 */

/** Mount-wide settings (`config`). */
export interface KvConfig {
  /** 0 = the default of 10 versions. */
  maxVersions: number;
  casRequired: boolean;
  /** Seconds; 0 = unset, -1 = disabled for every key (Vault's "-1s"). */
  deleteVersionAfter: number;
}

/** One version's bookkeeping; its data lives under its own storage key. */
export interface VersionMeta {
  createdNs: string;
  /** Soft deletion (past) or scheduled deletion (future, from delete_version_after). */
  deletionNs?: string;
  destroyed?: true;
}

/** Everything about one secret except the version data. */
export interface KeyMetadata {
  createdNs: string;
  updatedNs: string;
  currentVersion: number;
  /** Versions at or below this number have been pruned (0 until the first pruning). */
  oldestVersion: number;
  /** 0 = use the mount's config. */
  maxVersions: number;
  casRequired: boolean;
  /** Seconds; 0 = unset. */
  deleteVersionAfter: number;
  /** Absent when empty: Vault answers `null` for both. */
  customMetadata?: Record<string, string>;
  /** Keyed by version number. */
  versions: Record<string, VersionMeta>;
}

/** Vault keeps 10 versions when neither the key nor the mount says otherwise. */
export const DEFAULT_MAX_VERSIONS = 10;

/** The config sentinel that disables delete_version_after on every key. */
export const DELETE_VERSION_AFTER_DISABLED = -1;

export const DEFAULT_CONFIG: Readonly<KvConfig> = Object.freeze({
  maxVersions: 0,
  casRequired: false,
  deleteVersionAfter: 0,
});

/** A key that has metadata but no version yet (written by `metadata/<path>` first). */
export function emptyMetadata(nowNs: bigint): KeyMetadata {
  const now = nowNs.toString();
  return {
    createdNs: now,
    updatedNs: now,
    currentVersion: 0,
    oldestVersion: 0,
    maxVersions: 0,
    casRequired: false,
    deleteVersionAfter: 0,
    versions: {},
  };
}
