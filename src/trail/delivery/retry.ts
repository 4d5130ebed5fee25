/**
 * Bounded retries for an object PUT: a few attempts close together ride out a restarting or
 * briefly overloaded store; what still fails stays pending in the writer for the next delivery.
 */
export interface RetryLimits {
  /** Attempts in all, the first included. */
  attempts: number;
  /** Wait before the second attempt; doubled for each one after, up to maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_PUT_RETRY: RetryLimits = { attempts: 4, baseDelayMs: 250, maxDelayMs: 2000 };

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The delays between attempts: base, 2·base, 4·base ... each at most maxDelayMs. */
export const backoffDelays = (limits: RetryLimits): number[] =>
  Array.from({ length: Math.max(0, limits.attempts - 1) }, (_, i) => Math.min(limits.baseDelayMs * 2 ** i, limits.maxDelayMs));

/** Runs `fn` until it succeeds or the attempts are used up; the last error is thrown. */
export async function withRetries<T>(fn: () => Promise<T>, limits: RetryLimits, sleep: (ms: number) => Promise<void> = wait): Promise<T> {
  const delays = backoffDelays(limits);
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= delays.length) throw err;
      await sleep(delays[i]);
    }
  }
}
