/**
 * The seal: storage is encrypted at rest by a barrier (AES-256-GCM under a versioned keyring).
 * The keyring is itself encrypted under a root key, which is protected by an unseal key that is
 * split into Shamir shares at init (or read from a key file for auto-unseal).
 */
import type { Storage } from '../types.js';
import type { RekeyProgress, RekeyStatus, RekeyVerifyProgress, RekeyVerifyStatus } from './rekey.js';
import type { RotationConfig } from './key-usage.js';

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
  /**
   * Creates the keyring and root key. Throws if already initialized. Leaves the server sealed, or
   * with `unseal`, unsealed with the new key itself (sys/init's brief unseal to make the root
   * token: never through the public unseal progress, which an unauthenticated caller can feed).
   * `unsealKey`: the unseal key to use instead of a new random one (dev mode saves its key file
   * before the seal that needs it is committed).
   */
  initialize(opts: { secretShares: number; secretThreshold: number; unseal?: boolean; unsealKey?: Uint8Array }): Promise<InitResult>;
  /** Submits one share; unseals when the threshold is reached. `reset` discards progress. */
  submitUnsealKey(key: Uint8Array, opts?: { reset?: boolean }): Promise<SealStatus>;
  /** Unseals with the whole unseal key at once (auto-unseal from a key file, dev mode). */
  unsealWithKey(unsealKey: Uint8Array): Promise<void>;
  seal(): Promise<void>;
  /** Reads the keyring from storage again (HA: another node may have rotated it while this one stood by). */
  reloadKeyring(): Promise<void>;
  /** Adds a new keyring term; new writes use it, old values stay readable. */
  rotate(): Promise<number>;
  /** The active key term, when it was installed, and how many values it has sealed (key-usage.ts). */
  keyStatus(): Promise<{ term: number; installTimeMs: number; encryptions: number }>;
  /** When the active term is rotated by itself (`sys/rotate/config`; checked by the caller: key-usage.ts's bounds). */
  rotationConfig(): Promise<RotationConfig>;
  setRotationConfig(config: RotationConfig): Promise<void>;
  isSealed(): boolean;
  /** The rekey attempt in progress, if any (rekey.ts). Every rekey call needs the server unsealed. */
  rekeyStatus(): Promise<RekeyStatus>;
  /** Starts a rekey to `secretShares`/`secretThreshold`; refused while one is in progress. */
  startRekey(opts: { secretShares: number; secretThreshold: number; requireVerification: boolean }): Promise<RekeyStatus>;
  /** Ends the attempt in progress, if any, and forgets its shares and pending key. */
  cancelRekey(): Promise<void>;
  /**
   * Gives one current share to the attempt `nonce`. At the threshold the shares are combined and
   * checked against the root key record; the new shares are then returned and, without
   * verification, in force.
   */
  submitRekeyKey(key: Uint8Array, nonce: string): Promise<RekeyProgress>;
  rekeyVerifyStatus(): Promise<RekeyVerifyStatus>;
  /** Gives one new share back; at the new threshold, the new unseal key is put in force if they combine into it. */
  submitRekeyVerifyKey(key: Uint8Array, nonce: string): Promise<RekeyVerifyProgress>;
  /** Starts the verification over with a new nonce. */
  cancelRekeyVerify(): Promise<RekeyVerifyStatus>;
}
