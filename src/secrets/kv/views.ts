/**
 * The response shapes of Vault's KV v2 API, built from stored records. Keys are inserted in
 * sorted order, as Go's JSON encoder writes maps, so the serialized bodies match Vault's.
 */
import { deepFreeze, isDeepFrozen } from '../../lib/immutable.js';
import { goDuration, rfc3339Nano } from '../../lib/time.js';
import type { LogicalResponse } from '../../core/index.js';
import type { KeyMetadata, KvConfig, VersionMeta } from './model.js';

/**
 * A read that finds no secret answers nothing, as Vault's handler returns nil: a 404 that is not
 * an error (the edge writes Vault's `{"errors":[]}`; the audit entry has no `error`).
 */
export const nothingFound = (): LogicalResponse => ({ httpStatus: 404 });

/** "" for an unset time, as Vault writes a nil timestamp. */
function time(ns: string | undefined): string {
  return ns === undefined ? '' : rfc3339Nano(BigInt(ns));
}

export { goDuration };

function customMetadata(meta: KeyMetadata): Record<string, string> | null {
  return meta.customMetadata ?? null;
}

/** Views of frozen (cached) metadata records, built once per record and version. */
const frozenVersionViews = new WeakMap<KeyMetadata, Map<number, Record<string, unknown>>>();

/**
 * One version as `data/<path>` read and write answer it. For a frozen metadata record the view is
 * frozen too and shared by every read of that version until the record changes.
 */
export function versionView(meta: KeyMetadata, version: number, entry: VersionMeta): Record<string, unknown> {
  if (!isDeepFrozen(meta) || meta.versions[version] !== entry) return buildVersionView(meta, version, entry);
  let views = frozenVersionViews.get(meta);
  if (!views) frozenVersionViews.set(meta, (views = new Map()));
  let view = views.get(version);
  if (!view) views.set(version, (view = deepFreeze(buildVersionView(meta, version, entry))));
  return view;
}

/**
 * Read bodies `{data, metadata}` of frozen parts, by their data (see readBody): a body lives as
 * long as its data record does — in the record cache, which is bounded in bytes — and no longer
 * (keyed by the metadata view, which outlives the data in the cache, a large secret stayed in
 * memory after the cache had let it go).
 */
const frozenReadBodies = new WeakMap<object, { metadata: object; body: Record<string, unknown> }>();

/**
 * The body of a `data/<path>` read. When both parts are frozen (cached records) the body is too,
 * and every read of that version shares it, so what the audit devices derive from it (its HMAC'd
 * copy and text) is computed once, not per read.
 */
export function readBody(data: Record<string, unknown>, metadata: Record<string, unknown>): Record<string, unknown> {
  if (!isDeepFrozen(data) || !isDeepFrozen(metadata)) return { data, metadata };
  const known = frozenReadBodies.get(data);
  if (known && known.metadata === metadata) return known.body;
  const body = deepFreeze({ data, metadata });
  frozenReadBodies.set(data, { metadata, body });
  return body;
}

function buildVersionView(meta: KeyMetadata, version: number, entry: VersionMeta): Record<string, unknown> {
  return {
    created_time: time(entry.createdNs),
    custom_metadata: customMetadata(meta),
    deletion_time: time(entry.deletionNs),
    destroyed: entry.destroyed === true,
    version,
  };
}

/** `metadata/<path>` read. */
export function metadataView(meta: KeyMetadata): Record<string, unknown> {
  const versions: Record<string, unknown> = {};
  for (const [n, entry] of Object.entries(meta.versions)) {
    versions[n] = { created_time: time(entry.createdNs), deletion_time: time(entry.deletionNs), destroyed: entry.destroyed === true };
  }
  return {
    cas_required: meta.casRequired,
    created_time: time(meta.createdNs),
    current_version: meta.currentVersion,
    custom_metadata: customMetadata(meta),
    delete_version_after: goDuration(meta.deleteVersionAfter),
    max_versions: meta.maxVersions,
    oldest_version: meta.oldestVersion,
    updated_time: time(meta.updatedNs),
    versions,
  };
}

/** `config` read. */
export function configView(config: KvConfig): Record<string, unknown> {
  return {
    cas_required: config.casRequired,
    delete_version_after: goDuration(config.deleteVersionAfter),
    max_versions: config.maxVersions,
  };
}
