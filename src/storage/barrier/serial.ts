/**
 * Runs async operations one at a time, in call order. Seal state changes (init, unseal, seal,
 * rotate) await storage, and two of them interleaving could, for example, rotate a keyring that a
 * concurrent seal has just wiped.
 */
export type Serializer = <T>(fn: () => Promise<T>) => Promise<T>;

export function createSerializer(): Serializer {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn, fn);
    tail = run.catch(() => undefined);
    return run;
  };
}
