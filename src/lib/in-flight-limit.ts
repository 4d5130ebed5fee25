/**
 * Work in flight, counted per process and per key (a token's accessor): `take` hands out a slot
 * while both counts are under their limits, and says which limit refused it otherwise. A slot is
 * given back by `release`, once however often it is called. Keys holding no slot are forgotten,
 * so the map is as large as the work in flight.
 */
export interface InFlightSlot {
  release(): void;
}

/** Which limit refused a slot: the process's, or the key's. */
export type InFlightRefusal = 'server' | 'key';

export interface InFlightLimits {
  total: number;
  perKey: number;
}

export interface InFlightLimit {
  take(key: string): InFlightSlot | InFlightRefusal;
  /** Slots held now. */
  readonly inFlight: number;
  /** Keys holding a slot now. */
  readonly keys: number;
}

export function createInFlightLimit(limits: InFlightLimits): InFlightLimit {
  for (const value of [limits.total, limits.perKey]) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError('in-flight limits must be positive whole numbers');
  }
  const held = new Map<string, number>();
  let inFlight = 0;

  const release = (key: string) => {
    inFlight--;
    const left = held.get(key)! - 1;
    if (left === 0) held.delete(key);
    else held.set(key, left);
  };

  return {
    take(key) {
      const mine = held.get(key) ?? 0;
      if (mine >= limits.perKey) return 'key';
      if (inFlight >= limits.total) return 'server';
      inFlight++;
      held.set(key, mine + 1);
      let released = false;
      return {
        release() {
          if (released) return;
          released = true;
          release(key);
        },
      };
    },
    get inFlight() { return inFlight; },
    get keys() { return held.size; },
  };
}
