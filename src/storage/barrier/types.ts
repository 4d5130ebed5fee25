/**
 * The seal: storage is encrypted at rest by a barrier (AES-256-GCM under a versioned keyring).
 * The keyring is itself encrypted under a root key, which is protected by an unseal key that is
 * split into Shamir shares at init (or read from a key file for auto-unseal).
 */
import type { Storage } from '../types.js';

export interface SealStatus {
  type: 'shamir';
  initialized: boolean;
  sealed: boolean;
  /** Threshold and number of shares chosen at init (0 before init). */
  t: number;
  n: number;
  /** Shares submitted so far towards the threshold. */
  progress: number;
  /** Changes every time an unseal attempt is reset; "" when no attempt is in progress. */
  nonce: string;
  /** Barrier key term in use. */
  term: number;
}

export interface InitResult {
  /** The unseal key shares (raw bytes; the API shows hex and base64). */
  keys: Uint8Array[];
}

export interface SealManager {
  /** Encrypted storage; every call throws SealtrailError kind 'sealed' while sealed. */
  readonly barrier: Storage;
  status(): Promise<SealStatus>;
  /** Creates the keyring and root key; leaves the server sealed. Throws if already initialized. */
  initialize(opts: { secretShares: number; secretThreshold: number }): Promise<InitResult>;
  /** Submits one share; unseals when the threshold is reached. `reset` discards progress. */
  submitUnsealKey(key: Uint8Array, opts?: { reset?: boolean }): Promise<SealStatus>;
  /** Unseals with the whole unseal key at once (auto-unseal from a key file, dev mode). */
  unsealWithKey(unsealKey: Uint8Array): Promise<void>;
  seal(): Promise<void>;
  /** Reads the keyring from storage again (HA: another node may have rotated it while this one stood by). */
  reloadKeyring(): Promise<void>;
  /** Adds a new keyring term; new writes use it, old values stay readable. */
  rotate(): Promise<number>;
  isSealed(): boolean;
}
