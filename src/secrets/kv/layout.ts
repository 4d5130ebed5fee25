/**
 * Where KV v2 keeps its records in the mount's storage:
 *
 *   config                    mount-wide settings
 *   metadata/<path>           one KeyMetadata per secret; listing `metadata/<folder>/` yields the
 *                             secret names and sub-folders directly, as Vault's LIST does
 *   versions/<path>/<n>       the data of version n
 *
 * A version key always ends in a numeric segment, so `versions/a/1` (secret `a`, version 1) and
 * `versions/a/1/1` (secret `a/1`, version 1) never collide. Listing never looks under versions/.
 */
export const CONFIG_KEY = 'config';

const METADATA_PREFIX = 'metadata/';
const VERSIONS_PREFIX = 'versions/';

export function metadataKey(secretPath: string): string {
  return METADATA_PREFIX + secretPath;
}

/** `folder` is "" (the root) or ends in `/`. */
export function metadataFolder(folder: string): string {
  return METADATA_PREFIX + folder;
}

export function versionKey(secretPath: string, version: number): string {
  return `${VERSIONS_PREFIX}${secretPath}/${version}`;
}
