/** The browser's ledger memory (lib/trust.ts) in localStorage: it outlives the tab, like a pin should. */
import type { SeenCheckpoint, Trust } from './lib/trust.js';

const PINNED = 'sealtrail.ledger.pinned-key';
const SEEN = 'sealtrail.ledger.seen';

/** Keys whose last verified checkpoint is remembered, the most recently verified first. */
export const MAX_REMEMBERED_KEYS = 16;

const isSeen = (v: unknown): v is SeenCheckpoint => {
  const c = v as Partial<SeenCheckpoint> | null;
  return typeof c === 'object' && c !== null && typeof c.key === 'string' && Number.isSafeInteger(c.size) && typeof c.root === 'string';
};

export function loadTrust(): Trust {
  const pinnedKey = localStorage.getItem(PINNED) ?? undefined;
  let seen: SeenCheckpoint[] = [];
  try {
    const parsed = JSON.parse(localStorage.getItem(SEEN) ?? 'null') as unknown;
    // One checkpoint, as older builds kept it, or one per key.
    seen = (Array.isArray(parsed) ? parsed : [parsed]).filter(isSeen).slice(0, MAX_REMEMBERED_KEYS);
  } catch { /* a damaged entry is forgotten */ }
  return { pinnedKey, seen };
}

export function pinKey(key: string | undefined): void {
  if (key === undefined) localStorage.removeItem(PINNED);
  else localStorage.setItem(PINNED, key);
}

/**
 * Remembers a verified checkpoint under its key, unless a larger one under that key is remembered
 * already; the checkpoints of other keys are kept.
 */
export function rememberSeen(seen: SeenCheckpoint): void {
  const all = loadTrust().seen ?? [];
  const before = all.find((c) => c.key === seen.key);
  if (before && before.size >= seen.size) return;
  localStorage.setItem(SEEN, JSON.stringify([seen, ...all.filter((c) => c.key !== seen.key)].slice(0, MAX_REMEMBERED_KEYS)));
}
