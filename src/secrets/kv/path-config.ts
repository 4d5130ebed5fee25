/** `config`: the mount-wide max_versions, cas_required and delete_version_after. */
import type { PathRequest, PathSpec, LogicalResponse } from '../../core/index.js';
import { boolField, countField, durationField } from './input.js';
import { DELETE_VERSION_AFTER_DISABLED } from './model.js';
import type { KvStore } from './store.js';
import { configView } from './views.js';

/** The lock name for config changes: "" is never a valid secret path, so it cannot collide. */
const CONFIG_LOCK = '';

export function configPath(store: KvStore): PathSpec {
  async function read(): Promise<LogicalResponse> {
    return { data: configView(await store.config()) };
  }

  async function update(req: PathRequest): Promise<undefined> {
    const maxVersions = countField(req.data, 'max_versions');
    const casRequired = boolField(req.data, 'cas_required');
    const deleteVersionAfter = durationField(req.data, 'delete_version_after', true);
    if (maxVersions === undefined && casRequired === undefined && deleteVersionAfter === undefined) return undefined;
    await store.locked(CONFIG_LOCK, async () => {
      const config = await store.config();
      if (maxVersions !== undefined) config.maxVersions = maxVersions;
      if (casRequired !== undefined) config.casRequired = casRequired;
      // Negative disables delete_version_after for every key; 0 clears the setting.
      if (deleteVersionAfter !== undefined) {
        config.deleteVersionAfter = deleteVersionAfter < 0 ? DELETE_VERSION_AFTER_DISABLED : deleteVersionAfter;
      }
      await store.putConfig(config);
    });
    return undefined;
  }

  return { pattern: 'config', handlers: { read, update } };
}
