/**
 * The version rules of KV v2, as pure functions over stored records: adding a version with
 * max_versions pruning, check-and-set, soft deletion, undeletion and destruction. Each returns new
 * records and leaves its inputs untouched; the handlers decide what to write.
 */
import { invalid } from '../../errors/index.js';
import { MAX_DURATION_SECONDS } from '../../lib/time.js';
import {
  DEFAULT_MAX_VERSIONS,
  DELETE_VERSION_AFTER_DISABLED,
  type KeyMetadata,
  type KvConfig,
  type VersionMeta,
} from './model.js';

/**
 * Vault (plugin v0.26+) keeps the larger of the key's and the mount's max_versions, and 10 when
 * both are 0: a key setting can raise retention but never lower it below the mount's.
 */
export function effectiveMaxVersions(meta: KeyMetadata, config: KvConfig): number {
  const larger = Math.max(meta.maxVersions, config.maxVersions);
  return larger > 0 ? larger : DEFAULT_MAX_VERSIONS;
}

/**
 * When a version written (or undeleted) at `fromNs` is due for deletion: the smaller non-zero of the
 * mount's and the key's delete_version_after; undefined when neither is set or the mount disables it.
 */
export function scheduledDeletionNs(fromNs: bigint, meta: KeyMetadata, config: KvConfig): string | undefined {
  if (config.deleteVersionAfter === DELETE_VERSION_AFTER_DISABLED) return undefined;
  const candidates = [config.deleteVersionAfter, meta.deleteVersionAfter].filter((s) => s > 0);
  if (candidates.length === 0) return undefined;
  // Bounded as a duration is parsed (a value stored before that bound was checked included), so
  // the time stays one a date can show.
  return (fromNs + BigInt(Math.min(...candidates, MAX_DURATION_SECONDS)) * 1_000_000_000n).toString();
}

/**
 * A version counts as deleted once its deletion time is reached. Vault compares with a strict
 * "before now"; at-or-before is used here so a soft delete takes effect at once even when the
 * clock has not ticked (a pinned test clock, a coarse system timer).
 */
export function isDeleted(version: VersionMeta, nowNs: bigint): boolean {
  return version.deletionNs !== undefined && BigInt(version.deletionNs) <= nowNs;
}

/** Deleted or destroyed: its data is not served. */
export function isUnavailable(version: VersionMeta, nowNs: bigint): boolean {
  return version.destroyed === true || isDeleted(version, nowNs);
}

/**
 * Vault's check-and-set: with `cas` given it must equal the current version (0 = the key must not
 * have a version yet); without it, a cas_required mount or key refuses the write.
 */
export function checkAndSet(cas: number | undefined, meta: KeyMetadata, config: KvConfig): void {
  if (cas !== undefined) {
    if (cas !== meta.currentVersion) {
      throw invalid('check-and-set parameter did not match the current version', 'kv_cas_mismatch');
    }
  } else if (config.casRequired || meta.casRequired) {
    throw invalid('check-and-set parameter required for this call', 'kv_cas_required');
  }
}

export interface AddedVersion {
  meta: KeyMetadata;
  version: number;
  /** Versions whose data must be removed from storage (pruned by max_versions). */
  pruned: number[];
}

/**
 * Appends version current+1 created at `nowNs` and slides the window: once more than
 * max_versions versions exist past `oldestVersion`, the oldest ones are dropped and
 * `oldestVersion` moves to the first one kept.
 */
export function addVersion(meta: KeyMetadata, config: KvConfig, nowNs: bigint): AddedVersion {
  const version = meta.currentVersion + 1;
  const created = nowNs.toString();
  const entry: VersionMeta = { createdNs: created };
  const deletion = scheduledDeletionNs(nowNs, meta, config);
  if (deletion !== undefined) entry.deletionNs = deletion;

  const versions: Record<string, VersionMeta> = { ...meta.versions, [version]: entry };
  let oldestVersion = meta.oldestVersion;
  const pruned: number[] = [];
  const max = effectiveMaxVersions(meta, config);
  if (version - oldestVersion >= max) {
    const lastToDrop = version - max;
    for (let n = oldestVersion; n <= lastToDrop; n++) {
      if (versions[n] !== undefined) {
        delete versions[n];
        pruned.push(n);
      }
    }
    oldestVersion = lastToDrop + 1;
  }
  return {
    meta: { ...meta, currentVersion: version, oldestVersion, updatedNs: created, versions },
    version,
    pruned,
  };
}

type VersionUpdate = (entry: VersionMeta) => VersionMeta | undefined;

/** Applies `update` to each listed version that exists and is not destroyed; undefined = unchanged. */
function updateVersions(meta: KeyMetadata, numbers: readonly number[], update: VersionUpdate): { meta: KeyMetadata; changed: number[] } {
  const versions = { ...meta.versions };
  const changed: number[] = [];
  for (const n of new Set(numbers)) {
    const entry = versions[n];
    if (entry === undefined || entry.destroyed) continue;
    const next = update(entry);
    if (next === undefined) continue;
    versions[n] = next;
    changed.push(n);
  }
  return { meta: { ...meta, versions }, changed };
}

/** Soft-deletes the listed versions (those already deleted keep their deletion time). */
export function deleteVersions(meta: KeyMetadata, numbers: readonly number[], nowNs: bigint) {
  return updateVersions(meta, numbers, (entry) =>
    isDeleted(entry, nowNs) ? undefined : { ...entry, deletionNs: nowNs.toString() });
}

/** Clears the deletion of the listed versions, rescheduling it if delete_version_after applies. */
export function undeleteVersions(meta: KeyMetadata, config: KvConfig, numbers: readonly number[], nowNs: bigint) {
  const rescheduled = scheduledDeletionNs(nowNs, meta, config);
  return updateVersions(meta, numbers, ({ deletionNs: _cleared, ...rest }) =>
    rescheduled === undefined ? rest : { ...rest, deletionNs: rescheduled });
}

/** Marks the listed versions destroyed; `changed` lists the ones whose data must be removed. */
export function destroyVersions(meta: KeyMetadata, numbers: readonly number[]) {
  return updateVersions(meta, numbers, (entry) => ({ ...entry, destroyed: true }));
}
