/**
 * Rekeying the seal (Vault's `sys/rekey`): a quorum of the current unseal key shares replaces the
 * unseal key with a new one, split into new shares (a new count and threshold if asked). Old
 * shares open nothing once the new root key record is written.
 *
 * The state of one attempt, kept in memory only: the new configuration, the nonce every share
 * must carry, the current shares given so far and, with verification, the new unseal key waiting
 * for a quorum of its own shares before it replaces the old one. Every share and key held is
 * zeroed when the attempt ends, whatever way it ends.
 *
 * The root key stays: it is what the keyring is encrypted under, and a standby of an HA cluster
 * holds it in memory to read the keyring again when it becomes active. `sys/rotate` renews the
 * keys that encrypt the data.
 */
import { invalid } from '../../errors/index.js';
import { constantTimeEqual } from '../../lib/compare.js';
import { uuid } from '../../lib/ids.js';
import { KEY_BYTES } from './aead.js';
import type { SealConfig } from './seal-config.js';
import { UnsealProgress } from './unseal-progress.js';

export interface RekeyStatus {
  started: boolean;
  /** The attempt's nonce ("" when none is started). */
  nonce: string;
  /** The new threshold and number of shares (0 when none is started). */
  t: number;
  n: number;
  /** Current shares given so far. */
  progress: number;
  /** Current shares needed: the current threshold. */
  required: number;
  verificationRequired: boolean;
  /** Set once the new shares are out and wait for their verification. */
  verificationNonce: string;
}

export interface RekeyVerifyStatus {
  started: boolean;
  nonce: string;
  t: number;
  n: number;
  /** New shares given so far. */
  progress: number;
}

/**
 * Puts a completed rekey's new unseal key in force. The caller runs it only once the answer that
 * hands out the new shares is recorded: a new key in force whose shares never reached anyone would
 * leave the server unable to unseal. Refused if the rekey was cancelled, superseded or sealed away
 * meanwhile; the old shares then stay in force.
 */
export type ApplyRekey = () => Promise<void>;

export type RekeyProgress =
  | { complete: false; status: RekeyStatus }
  /**
   * The new shares. Without verification `apply` puts them in force; with verification they wait
   * for it and there is nothing to apply yet.
   */
  | { complete: true; nonce: string; keys: Uint8Array[]; verificationRequired: boolean; verificationNonce: string; apply?: ApplyRekey };

export type RekeyVerifyProgress =
  | { complete: false; nonce: string; status: RekeyVerifyStatus }
  /** The new shares combined into the new unseal key; `apply` puts it in force. */
  | { complete: true; nonce: string; apply: ApplyRekey };

export interface RekeyRequest {
  next: SealConfig;
  requireVerification: boolean;
}

/** The new unseal key waiting for its verification. */
interface Pending {
  unsealKey: Uint8Array;
  nonce: string;
  shares: UnsealProgress;
}

export class RekeyAttempt {
  readonly nonce = uuid();
  readonly shares = new UnsealProgress();
  pending: Pending | undefined;

  constructor(readonly request: RekeyRequest) {}

  /** Checks a share's nonce, shape and novelty, and keeps it. */
  addShare(key: Uint8Array, nonce: string, shareBytes: number): void {
    if (this.pending) throw invalid('the new key shares are out and wait for their verification (sys/rekey/verify); cancel the rekey to start again', 'rekey_verification_pending');
    checkShare(key, nonce, this.nonce, shareBytes);
    if (!this.shares.add(key)) throw invalid('given key has already been provided during this rekey operation', 'rekey_duplicate_key');
  }

  /** Holds the new unseal key until a quorum of its shares is given back. */
  awaitVerification(unsealKey: Uint8Array): string {
    const nonce = uuid();
    this.pending = { unsealKey: Uint8Array.from(unsealKey), nonce, shares: new UnsealProgress() };
    return nonce;
  }

  /** Keeps a new share given back for the verification; true once the threshold's worth are in. */
  addVerifyShare(key: Uint8Array, nonce: string): boolean {
    const pending = this.requirePending();
    checkShare(key, nonce, pending.nonce, shareBytesOf(this.request.next));
    if (!pending.shares.add(key)) throw invalid('given key has already been provided during this verify operation', 'rekey_duplicate_key');
    return pending.shares.count >= this.request.next.secretThreshold;
  }

  /** Whether `candidate` (the combined verify shares) is the new unseal key, in constant time. */
  verifies(candidate: Uint8Array): boolean {
    return constantTimeEqual(candidate, this.requirePending().unsealKey);
  }

  /** Starts the verification over with a new nonce (the new shares stay the same). */
  restartVerification(): void {
    const pending = this.requirePending();
    pending.shares.reset();
    pending.nonce = uuid();
  }

  status(currentThreshold: number): RekeyStatus {
    return {
      started: true, nonce: this.nonce, t: this.request.next.secretThreshold, n: this.request.next.secretShares,
      progress: this.shares.count, required: currentThreshold,
      verificationRequired: this.request.requireVerification, verificationNonce: this.pending?.nonce ?? '',
    };
  }

  verifyStatus(): RekeyVerifyStatus {
    const { next } = this.request;
    if (!this.pending) return { started: false, nonce: '', t: 0, n: 0, progress: 0 };
    return { started: true, nonce: this.pending.nonce, t: next.secretThreshold, n: next.secretShares, progress: this.pending.shares.count };
  }

  requirePending(): Pending {
    if (!this.pending) throw invalid('no rekey verification in progress', 'rekey_verification_not_started');
    return this.pending;
  }

  wipe(): void {
    this.shares.reset();
    this.pending?.shares.reset();
    this.pending?.unsealKey.fill(0);
    this.pending = undefined;
  }
}

export const NOT_STARTED = (currentThreshold: number): RekeyStatus => ({
  started: false, nonce: '', t: 0, n: 0, progress: 0, required: currentThreshold, verificationRequired: false, verificationNonce: '',
});

/** A share's size under a configuration: the unseal key itself when there is one share, else a Shamir share (one byte more). */
export const shareBytesOf = (config: SealConfig): number => (config.secretShares === 1 ? KEY_BYTES : KEY_BYTES + 1);

function checkShare(key: Uint8Array, nonce: string, expected: string, shareBytes: number): void {
  if (nonce !== expected) throw invalid('incorrect nonce', 'rekey_incorrect_nonce');
  if (!(key instanceof Uint8Array) || key.length !== shareBytes) throw invalid(`key share must be ${shareBytes} bytes`, 'invalid_unseal_key');
}
