/**
 * `data/<path>`: read a version, write a new version (with check-and-set), patch the current one
 * into a new version (JSON merge patch), soft-delete the latest.
 * A read costs one metadata get and one version get.
 */
import type { Clock } from '../../lib/clock.js';
import type { PathRequest, PathSpec, LogicalResponse } from '../../core/index.js';
import { invalid, notFound } from '../../errors/index.js';
import { isJsonObject } from '../../lib/safe-object.js';
import { intField, objectField, secretPath } from './input.js';
import { mergePatch } from './merge-patch.js';
import { emptyMetadata, type KeyMetadata, type KvConfig } from './model.js';
import { sortKeysDeep } from './sort-keys.js';
import { deleteVersionOp, putMetadataOp, putVersionOp, type KvStore, type SecretData } from './store.js';
import { addVersion, checkAndSet, deleteVersions, isDeleted, isUnavailable } from './versions.js';
import { nothingFound, readBody, versionView } from './views.js';

/** The `data` object of a write or patch body. */
function dataField(req: PathRequest): Record<string, unknown> {
  const data = req.data.data;
  if (!isJsonObject(data)) throw invalid('no data provided', 'kv_no_data');
  return data;
}

/** `options.cas`, weakly decoded as Vault does (null decodes to 0). */
function casOption(req: PathRequest): number | undefined {
  const options = objectField(req.data, 'options') ?? {};
  if (options.cas === undefined) return undefined;
  try {
    return intField({ cas: options.cas ?? 0 }, 'cas');
  } catch {
    throw invalid('error parsing check-and-set parameter', 'kv_cas_invalid');
  }
}

/**
 * The version a read names (`version`, else the current one), as data/ and subkeys/ read it:
 * missing; deleted or destroyed (Vault answers 404 with its metadata); or its data and metadata.
 */
export type VersionRead =
  | { found: 'none' }
  | { found: 'unavailable'; metadata: Record<string, unknown> }
  | { found: 'data'; data: SecretData; metadata: Record<string, unknown> };

export async function readVersion(store: KvStore, clock: Clock, req: PathRequest): Promise<VersionRead> {
  const path = secretPath(req.params.path);
  const requested = intField(req.data, 'version');
  const meta = await store.metadata(path);
  if (!meta) return { found: 'none' };
  // Like Vault, version 0 (or less) means the current one.
  const version = requested !== undefined && requested > 0 ? requested : meta.currentVersion;
  const entry = meta.versions[version];
  if (!entry) return { found: 'none' };
  const metadata = versionView(meta, version, entry);
  if (isUnavailable(entry, clock.nowNs())) return { found: 'unavailable', metadata };
  const data = await store.versionData(path, version);
  // Destroyed or pruned between the two gets by a concurrent request.
  return data ? { found: 'data', data, metadata } : { found: 'none' };
}

export function dataPaths(store: KvStore, clock: Clock): PathSpec {
  async function read(req: PathRequest): Promise<LogicalResponse> {
    const version = await readVersion(store, clock, req);
    if (version.found === 'none') return nothingFound();
    // A deleted or destroyed version answers 404 with its metadata, as Vault does.
    if (version.found === 'unavailable') return { httpStatus: 404, data: { data: null, metadata: version.metadata } };
    return { data: readBody(version.data, version.metadata) };
  }

  /** Writes `stored` as the next version (under the secret's lock, after the CAS check). */
  async function addData(path: string, meta: KeyMetadata, config: KvConfig, nowNs: bigint, stored: SecretData): Promise<LogicalResponse> {
    const added = addVersion(meta, config, nowNs);
    await store.commit([
      putVersionOp(path, added.version, stored),
      putMetadataOp(path, added.meta),
      ...added.pruned.map((n) => deleteVersionOp(path, n)),
    ]);
    return { data: versionView(added.meta, added.version, added.meta.versions[added.version]) };
  }

  async function write(req: PathRequest): Promise<LogicalResponse> {
    const path = secretPath(req.params.path);
    const stored = sortKeysDeep(dataField(req)) as SecretData;
    const cas = casOption(req);
    return store.locked(path, async () => {
      const config = await store.config();
      const nowNs = clock.nowNs();
      const meta = (await store.metadata(path)) ?? emptyMetadata(nowNs);
      checkAndSet(cas, meta, config);
      return addData(path, meta, config, nowNs, stored);
    });
  }

  /**
   * PATCH: a JSON merge patch of the current version's data, written as a new version. As Vault,
   * only an existing secret whose current version is readable can be patched (404 otherwise).
   */
  async function patch(req: PathRequest): Promise<LogicalResponse> {
    const path = secretPath(req.params.path);
    const changes = dataField(req);
    const cas = casOption(req);
    return store.locked(path, async () => {
      const config = await store.config();
      const nowNs = clock.nowNs();
      const meta = await store.metadata(path);
      if (!meta) throw notFound();
      checkAndSet(cas, meta, config);
      const entry = meta.versions[meta.currentVersion];
      if (!entry) throw notFound();
      if (isUnavailable(entry, nowNs)) return { httpStatus: 404, data: { data: null, metadata: versionView(meta, meta.currentVersion, entry) } };
      const current = await store.versionData(path, meta.currentVersion);
      if (!current) throw notFound();
      return addData(path, meta, config, nowNs, sortKeysDeep(mergePatch(current, changes)) as SecretData);
    });
  }

  async function remove(req: PathRequest): Promise<undefined> {
    const path = secretPath(req.params.path);
    await store.locked(path, async () => {
      const meta = await store.metadata(path);
      if (!meta) return;
      const latest = meta.versions[meta.currentVersion];
      const nowNs = clock.nowNs();
      if (!latest || latest.destroyed || isDeleted(latest, nowNs)) return;
      await store.commit([putMetadataOp(path, deleteVersions(meta, [meta.currentVersion], nowNs).meta)]);
    });
    return undefined;
  }

  return {
    pattern: 'data/(?<path>.*)',
    handlers: { read, create: write, update: write, patch, delete: remove },
    existenceCheck: (req) => secretExists(store, req.params.path),
  };
}

/** A secret exists once it has metadata (so ACLs tell `create` from `update` as Vault does). */
export async function secretExists(store: KvStore, rawPath: string | undefined): Promise<boolean> {
  let path: string;
  try {
    path = secretPath(rawPath);
  } catch {
    return false; // the handler answers the bad path with a 400
  }
  return (await store.metadata(path)) !== undefined;
}
