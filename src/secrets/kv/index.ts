/**
 * The KV version 2 secrets engine, API-compatible with Vault's: `config`, `data/<path>`,
 * `metadata/<path>`, `delete/<path>`, `undelete/<path>`, `destroy/<path>`, `subkeys/<path>` relative to the mount.
 *
 * @example
 *   const backend = await kvBackend({ mount, storage: mountStorage, clock: systemClock });
 *   await backend.handleRequest({ ...req, operation: 'update', path: 'data/app', data: { data: { k: 'v' } } });
 */
import { backendFromPaths, type BackendFactory } from '../../core/index.js';
import { configPath } from './path-config.js';
import { dataPaths } from './path-data.js';
import { metadataPaths } from './path-metadata.js';
import { versionActionPaths } from './path-versions.js';
import { invalidPaths } from './path-invalid.js';
import { subkeysPath } from './path-subkeys.js';
import { kvStore } from './store.js';

export const kvBackend: BackendFactory = ({ storage, clock }) => {
  const store = kvStore(storage);
  return backendFromPaths([
    configPath(store),
    dataPaths(store, clock),
    metadataPaths(store, clock),
    ...versionActionPaths(store, clock),
    subkeysPath(store, clock),
    invalidPaths(),
  ]);
};
