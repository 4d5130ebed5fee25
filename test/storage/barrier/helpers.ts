import { createMemoryStorage } from '../../../src/storage/memory/index.js';
import { createSealManager } from '../../../src/storage/barrier/index.js';
import { manualClock } from '../../../src/lib/clock.js';
import type { Storage } from '../../../src/storage/types.js';

export const bytes = (s: string) => new TextEncoder().encode(s);
export const text = (b: Uint8Array | undefined) => (b === undefined ? undefined : new TextDecoder().decode(b));

/** A seal manager over `physical` (memory by default), initialized with one share and unsealed. */
export async function unsealedManager(physical: Storage = createMemoryStorage()) {
  const seal = createSealManager({ physical, clock: manualClock(1_700_000_000_000) });
  const { keys } = await seal.initialize({ secretShares: 1, secretThreshold: 1 });
  await seal.submitUnsealKey(keys[0]);
  return { seal, physical, unsealKey: keys[0] };
}
