/** Types for the install/build decisions of scripts/ensure-installed.mjs (used by its tests). */
export interface Lockfile {
  packages?: Record<string, { version?: string; optional?: boolean; link?: boolean }>;
}
export function installReason(lock: Lockfile | undefined, installed: Lockfile | undefined): string | undefined;
export function buildReason(newestDistMs: number | undefined, newestSrcMs: number | undefined, newestUiMs?: number, uiBuilt?: boolean): string | undefined;
