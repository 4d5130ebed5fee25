/** The browser's ledger memory (lib/trust.ts) in localStorage: it outlives the tab, like a pin should. */
import type { SeenCheckpoint, Trust } from './lib/trust';

const PINNED = 'sealtrail.ledger.pinned-key';
const SEEN = 'sealtrail.ledger.seen';

export function loadTrust(): Trust {
  const pinnedKey = localStorage.getItem(PINNED) ?? undefined;
  let seen: SeenCheckpoint | undefined;
  try {
    const parsed = JSON.parse(localStorage.getItem(SEEN) ?? 'null') as SeenCheckpoint | null;
    if (parsed && typeof parsed.key === 'string' && Number.isSafeInteger(parsed.size) && typeof parsed.root === 'string') seen = parsed;
  } catch { /* a damaged entry is forgotten */ }
  return { pinnedKey, seen };
}

export function pinKey(key: string | undefined): void {
  if (key === undefined) localStorage.removeItem(PINNED);
  else localStorage.setItem(PINNED, key);
}

/** Remembers a verified checkpoint unless a larger one under the same key is remembered already. */
export function rememberSeen(seen: SeenCheckpoint): void {
  const before = loadTrust().seen;
  if (before && before.key === seen.key && before.size >= seen.size) return;
  localStorage.setItem(SEEN, JSON.stringify(seen));
}
