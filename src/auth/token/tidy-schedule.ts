/**
 * Tidies expired tokens in the background: once at unseal (tokens that expired while the server
 * was down) and then every `intervalMs` after the previous pass ends, so passes never overlap.
 * Lookups already refuse an expired token; tidying is what removes it from storage and from the
 * accessor list, so expired tokens cannot pile up without bound.
 */
import type { ManagedTokenStore } from './store.js';

export interface TokenTidyOptions {
  tokens: Pick<ManagedTokenStore, 'tidy'>;
  intervalMs: number;
  /** Called with each pass's count of expired tokens revoked. */
  onPass?: (revoked: number) => void;
  onError?: (err: unknown) => void;
}

export interface TokenTidySchedule {
  /** Stops the schedule; a running pass stops at its next token and is awaited. */
  stop(): Promise<void>;
}

export function startTokenTidy(opts: TokenTidyOptions): TokenTidySchedule {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const pass = () => {
    timer = undefined;
    running = opts.tokens.tidy(abort.signal).then(
      (revoked) => opts.onPass?.(revoked),
      (err) => { if (!abort.signal.aborted) opts.onError?.(err); },
    ).finally(() => {
      running = undefined;
      if (!abort.signal.aborted) schedule(opts.intervalMs);
    });
  };
  const schedule = (ms: number) => {
    timer = setTimeout(pass, ms);
    timer.unref(); // never what keeps the process alive
  };

  schedule(0);
  return {
    async stop() {
      abort.abort();
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
