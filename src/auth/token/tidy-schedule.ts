/**
 * Tidies expired tokens in the background: once at unseal (tokens that expired while the server
 * was down) and then every `intervalMs` after the previous pass ends, so passes never overlap.
 * Lookups already refuse an expired token; tidying is what removes it from storage and from the
 * accessor list, so expired tokens cannot pile up without bound.
 */
import { startPeriodicPass, type PeriodicPass } from '../../lib/periodic-pass.js';
import type { ManagedTokenStore } from './store.js';

export interface TokenTidyOptions {
  tokens: Pick<ManagedTokenStore, 'tidy'>;
  intervalMs: number;
  /** Called with each pass's count of expired tokens revoked. */
  onPass?: (revoked: number) => void;
  onError?: (err: unknown) => void;
}

/** stop(): a running pass stops at its next token and is awaited. */
export type TokenTidySchedule = PeriodicPass;

export function startTokenTidy(opts: TokenTidyOptions): TokenTidySchedule {
  return startPeriodicPass({ pass: (signal) => opts.tokens.tidy(signal), intervalMs: opts.intervalMs, onPass: opts.onPass, onError: opts.onError });
}
