/**
 * `metadata/<path>`: read a secret's metadata and version history, list secret names, write or
 * patch per-key settings (max_versions, cas_required, delete_version_after, custom_metadata), and
 * delete a secret with all its versions.
 */
import type { Clock } from '../../lib/clock.js';
import type { PathRequest, PathSpec, LogicalResponse } from '../../core/index.js';
import { notFound } from '../../errors/index.js';
import { parseCustomMetadata } from './custom-metadata.js';
import { boolField, countField, durationField, folderPath, objectField, secretPath } from './input.js';
import { emptyMetadata } from './model.js';
import { mergePatch } from './merge-patch.js';
import { secretExists } from './path-data.js';
import { deleteMetadataOp, deleteVersionOp, putMetadataOp, type KvStore } from './store.js';
import { metadataView, nothingFound } from './views.js';

const CAS_IGNORED_WARNING = '"cas_required" set to false, but is mandated by backend config. This value will be ignored.';

export function metadataPaths(store: KvStore, clock: Clock): PathSpec {
  async function read(req: PathRequest): Promise<LogicalResponse> {
    const meta = await store.metadata(secretPath(req.params.path));
    if (!meta) return nothingFound();
    return { data: metadataView(meta) };
  }

  async function list(req: PathRequest): Promise<LogicalResponse> {
    const keys = await store.list(folderPath(req.params.path));
    // Vault answers an empty listing with 404.
    if (keys.length === 0) throw notFound();
    return { data: { keys } };
  }

  async function write(req: PathRequest): Promise<LogicalResponse | undefined> {
    const path = secretPath(req.params.path);
    const maxVersions = countField(req.data, 'max_versions');
    const casRequired = boolField(req.data, 'cas_required');
    const deleteVersionAfter = durationField(req.data, 'delete_version_after', false);
    const customRaw = objectField(req.data, 'custom_metadata');
    const custom = customRaw === undefined ? undefined : { value: parseCustomMetadata(customRaw) };
    // Vault does nothing (and creates nothing) when no setting is given.
    if (maxVersions === undefined && casRequired === undefined && deleteVersionAfter === undefined && !custom) return undefined;

    return store.locked(path, async () => {
      const config = await store.config();
      const meta = (await store.metadata(path)) ?? emptyMetadata(clock.nowNs());
      const next = { ...meta };
      if (maxVersions !== undefined) next.maxVersions = maxVersions;
      if (casRequired !== undefined) next.casRequired = casRequired;
      if (deleteVersionAfter !== undefined) next.deleteVersionAfter = deleteVersionAfter;
      if (custom) {
        if (custom.value) next.customMetadata = custom.value;
        else delete next.customMetadata;
      }
      await store.commit([putMetadataOp(path, next)]);
      return casRequired === false && config.casRequired ? { warnings: [CAS_IGNORED_WARNING] } : undefined;
    });
  }

  /**
   * PATCH (Vault 1.9+, `vault kv metadata patch`): the body is a JSON merge patch of the settings —
   * a setting given replaces its value, `custom_metadata` merges key by key (a key set to null is
   * removed, `custom_metadata: null` removes them all). Only an existing secret's metadata: 404 otherwise.
   */
  async function patch(req: PathRequest): Promise<LogicalResponse | undefined> {
    const path = secretPath(req.params.path);
    const maxVersions = countField(req.data, 'max_versions');
    const casRequired = boolField(req.data, 'cas_required');
    const deleteVersionAfter = durationField(req.data, 'delete_version_after', false);
    const customPatch = req.data.custom_metadata === null ? null : objectField(req.data, 'custom_metadata');
    return store.locked(path, async () => {
      const config = await store.config();
      const meta = await store.metadata(path);
      if (!meta) return nothingFound();
      const next = { ...meta };
      if (maxVersions !== undefined) next.maxVersions = maxVersions;
      if (casRequired !== undefined) next.casRequired = casRequired;
      if (deleteVersionAfter !== undefined) next.deleteVersionAfter = deleteVersionAfter;
      if (customPatch !== undefined) {
        const merged = customPatch === null ? {} : mergePatch(meta.customMetadata ?? {}, customPatch) as Record<string, unknown>;
        const custom = parseCustomMetadata(merged);
        if (custom) next.customMetadata = custom;
        else delete next.customMetadata;
      }
      await store.commit([putMetadataOp(path, next)]);
      return casRequired === false && config.casRequired ? { warnings: [CAS_IGNORED_WARNING] } : undefined;
    });
  }

  async function remove(req: PathRequest): Promise<undefined> {
    const path = secretPath(req.params.path);
    await store.locked(path, async () => {
      const meta = await store.metadata(path);
      if (!meta) return;
      const versionOps = Object.keys(meta.versions).map((n) => deleteVersionOp(path, Number(n)));
      await store.commit([...versionOps, deleteMetadataOp(path)]);
    });
    return undefined;
  }

  return {
    // `metadata` alone is the root folder, for a LIST that arrives without its trailing slash.
    pattern: 'metadata(?:/(?<path>.*))?',
    handlers: { read, list, create: write, update: write, patch, delete: remove },
    existenceCheck: (req) => secretExists(store, req.params.path),
  };
}
