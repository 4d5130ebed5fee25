/**
 * `delete/<path>`, `undelete/<path>` and `destroy/<path>`: act on listed versions of a secret
 * (`{"versions": [1, 2]}`). Missing secrets and unknown or destroyed versions are skipped
 * silently, as in Vault; all three answer 204.
 */
import type { Clock } from '../../lib/clock.js';
import type { PathRequest, PathSpec } from '../../core/index.js';
import { invalid } from '../../errors/index.js';
import type { StorageOp } from '../../storage/index.js';
import { secretPath, versionsField } from './input.js';
import type { KeyMetadata, KvConfig } from './model.js';
import { deleteVersionOp, putMetadataOp, type KvStore } from './store.js';
import { deleteVersions, destroyVersions, undeleteVersions } from './versions.js';

type Change = (meta: KeyMetadata, config: KvConfig, versions: number[], nowNs: bigint) => { meta: KeyMetadata; changed: number[] };

interface VersionAction {
  pattern: string;
  /** Vault's own wording differs between the endpoints; kept as is. */
  noVersionsMessage: string;
  change: Change;
  /** Extra storage operations for the changed versions (destroy removes their data). */
  extraOps?: (path: string, changed: number[]) => StorageOp[];
}

const ACTIONS: VersionAction[] = [
  {
    pattern: 'delete/(?<path>.*)',
    noVersionsMessage: 'No version number provided',
    change: (meta, _config, versions, nowNs) => deleteVersions(meta, versions, nowNs),
  },
  {
    pattern: 'undelete/(?<path>.*)',
    noVersionsMessage: 'No version number provided',
    change: (meta, config, versions, nowNs) => undeleteVersions(meta, config, versions, nowNs),
  },
  {
    pattern: 'destroy/(?<path>.*)',
    noVersionsMessage: 'no version number provided',
    change: (meta, _config, versions) => destroyVersions(meta, versions),
    extraOps: (path, changed) => changed.map((n) => deleteVersionOp(path, n)),
  },
];

function actionPath(action: VersionAction, store: KvStore, clock: Clock): PathSpec {
  async function update(req: PathRequest): Promise<undefined> {
    const path = secretPath(req.params.path);
    const versions = versionsField(req.data);
    if (versions.length === 0) throw invalid(action.noVersionsMessage, 'kv_no_versions');
    await store.locked(path, async () => {
      const meta = await store.metadata(path);
      if (!meta) return;
      const config = await store.config();
      const { meta: next, changed } = action.change(meta, config, versions, clock.nowNs());
      if (changed.length === 0) return;
      await store.commit([putMetadataOp(path, next), ...(action.extraOps?.(path, changed) ?? [])]);
    });
    return undefined;
  }
  return { pattern: action.pattern, handlers: { update } };
}

export function versionActionPaths(store: KvStore, clock: Clock): PathSpec[] {
  return ACTIONS.map((action) => actionPath(action, store, clock));
}
