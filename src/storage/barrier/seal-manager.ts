/**
 * The seal manager: initializes the seal (unseal key → Shamir shares), collects shares to unseal,
 * seals (wiping keys from memory) and rotates the barrier keyring, on request or when its active
 * key has sealed its share of values (key-usage.ts). It owns the barrier; while sealed, every
 * barrier call throws `sealed()`.
 *
 * Key hierarchy: unseal key (split into shares, never stored) → root key (`core/root-key`) →
 * keyring (`core/keyring`) → barrier values. A rekey (rekey.ts) replaces the unseal key.
 */
import { combine, split } from 'shamir-secret-sharing';
import { SealtrailError, invalid, sealed } from '../../errors/index.js';
import type { Clock } from '../../lib/clock.js';
import { createSerializer } from '../../lib/keyed-lock.js';
import type { Storage } from '../types.js';
import { DEFAULT_KEY_USAGE_LIMITS, DEFAULT_ROTATION_CONFIG, KEY_USAGE_KEY, ROTATION_CONFIG_KEY, encodeKeyUsage, encodeRotationConfig, readKeyUsage, readRotationConfig, type KeyUsageLimits, type RotationConfig } from './key-usage.js';
import { KEY_BYTES, randomKey } from './aead.js';
import { createBarrier } from './barrier.js';
import { Keyring } from './keyring.js';
import { SEAL_CONFIG_KEY, encodeSealConfig, readSealConfig, validateSealConfig, type SealConfig } from './seal-config.js';
import { ROOT_KEY_KEY, keyringRecord, openSealRecords, opensRootKey, readKeyring, rootKeyRecord, unsealFailed } from './seal-records.js';
import { NOT_STARTED, RekeyAttempt, shareBytesOf, type ApplyRekey, type RekeyProgress, type RekeyVerifyProgress } from './rekey.js';
import type { InitResult, SealManager, SealStatus } from './types.js';
import { UnsealProgress } from './unseal-progress.js';

export interface SealManagerDeps {
  /** Physical storage; the seal keeps its records under `core/`, the barrier writes elsewhere. */
  physical: Storage;
  clock: Clock;
  /** When the active key term is rotated automatically, and how often its count is written (key-usage.ts); tests lower them. */
  keyUsage?: KeyUsageLimits;
  /** Told when the key usage count cannot be written, or an automatic rotation fails (the next write tries again). */
  onKeyUsageError?: (err: unknown, what: string) => void;
}

const isStandbyRefusal = (err: unknown) => err instanceof SealtrailError && err.code === 'ha_not_active';

export function createSealManager({ physical, clock, keyUsage = DEFAULT_KEY_USAGE_LIMITS, onKeyUsageError = () => undefined }: SealManagerDeps): SealManager {
  let ring: Keyring | undefined;
  let rootKey: Uint8Array | undefined;
  let config: SealConfig | undefined;
  const progress = new UnsealProgress();
  /** Values sealed under the active term (key-usage.ts), and how many of them the stored record counts (-Infinity: its write failed, try again). */
  let encryptions = 0;
  let persisted = 0;
  let autoRotating = false;
  let rotation: RotationConfig = DEFAULT_ROTATION_CONFIG;
  /** The lower of the configured and the built-in limit (tests lower the built-in one). */
  const maxEncryptions = () => Math.min(rotation.maxOperations, keyUsage.maxEncryptions);
  /** Whether the active term has sealed its share, or lived its configured interval. */
  const rotationDue = (): boolean => rotation.enabled && ring !== undefined
    && (encryptions >= maxEncryptions() || (rotation.intervalMs > 0 && clock.now() - ring.activeEntry().installTimeMs >= rotation.intervalMs));
  let rekey: RekeyAttempt | undefined;
  /** A rekey whose new key waits for its answer to be recorded (ApplyRekey in rekey.ts). */
  let completing: { unsealKey: Uint8Array; next: SealConfig } | undefined;
  const serial = createSerializer();
  const barrier = createBarrier({ physical, keyring: () => ring, sealedUnder: (term) => countEncryption(term) });

  /** The count write under way: one at a time, so that an older count never lands over a newer one. */
  let writing: Promise<boolean> | undefined;

  /** Whether the count was written. */
  const writeUsage = (sealed: boolean): Promise<boolean> => {
    persisted = encryptions;
    const record = encodeKeyUsage({ term: ring?.activeTerm ?? 0, encryptions, ...(sealed ? { sealed: true } : {}) });
    return physical.put(KEY_USAGE_KEY, record).then(() => true, (err: unknown) => {
      // The stored count is older than `persisted` says: the next value sealed tries again.
      persisted = Number.NEGATIVE_INFINITY;
      // An HA standby writes nothing; the count is written when it becomes active (reloadKeyring).
      if (!isStandbyRefusal(err)) onKeyUsageError(err, 'the barrier key usage count could not be written');
      return false;
    });
  };

  /**
   * Writes the count (`sealed`: by a seal, exact) once the write under way, if any, is done; a
   * failure is told. A step's worth sealed while the last write was under way is written at once.
   */
  const persistUsage = (sealed = false): Promise<void> => {
    const write = (writing ?? Promise.resolve()).then(() => writeUsage(sealed));
    writing = write;
    return write.then((written) => {
      if (writing !== write) return;
      writing = undefined;
      if (written && ring !== undefined && encryptions - persisted >= keyUsage.persistEvery) void persistUsage();
    });
  };

  /** Counts one value sealed under `term`; at the limit, the keyring is rotated (once at a time). */
  function countEncryption(term: number): void {
    if (ring === undefined || term !== ring.activeTerm) return; // a rotation was under way
    encryptions++;
    if (writing === undefined && encryptions - persisted >= keyUsage.persistEvery) void persistUsage();
    if (!autoRotating && rotationDue()) {
      autoRotating = true;
      rotateTerm()
        .catch((err: unknown) => onKeyUsageError(err, 'the barrier key could not be rotated at its usage limit'))
        .finally(() => { autoRotating = false; });
    }
  }

  /** After unseal or a reload: the active term's count as stored, and the rotation configuration (key-usage.ts). */
  const loadUsage = async (): Promise<void> => {
    const usage = ring === undefined ? { encryptions: 0, sealed: false } : await readKeyUsage(physical, ring.activeTerm, keyUsage);
    encryptions = persisted = usage.encryptions;
    // Written back before the key seals anything: a crash from now on is padded from this count
    // (a seal's exact one unmarked, a crash's raised one kept), never again from an older record.
    if (ring !== undefined) await persistUsage();
    rotation = await readRotationConfig(physical);
  };

  /**
   * Unsealed, the configuration only changes through this node's own rekey, which updates it, or
   * another node's, which reloadKeyring (an HA standby becoming active) reads; sealed, it is read
   * again, since another node of an HA cluster may have rekeyed the seal meanwhile.
   */
  const loadConfig = async (): Promise<SealConfig | undefined> =>
    ring === undefined ? (config = (await readSealConfig(physical)) ?? config) : (config ??= await readSealConfig(physical));
  const requireConfig = async (): Promise<SealConfig> => {
    const c = await loadConfig();
    if (c === undefined) throw new SealtrailError('uninitialized', 'not_initialized', 'Vault is not initialized');
    return c;
  };

  const status = async (): Promise<SealStatus> => {
    const c = await loadConfig();
    return {
      type: 'shamir',
      initialized: c !== undefined,
      sealed: ring === undefined,
      t: c?.secretThreshold ?? 0,
      n: c?.secretShares ?? 0,
      progress: progress.count,
      nonce: progress.nonce,
      term: ring?.activeTerm ?? 0,
    };
  };

  /** Unseals with the whole unseal key; the caller keeps ownership of (and wipes) `unsealKey`. */
  const unlock = async (unsealKey: Uint8Array): Promise<void> => {
    const opened = await openSealRecords(physical, unsealKey);
    ring = opened.ring;
    rootKey = opened.rootKey;
    await loadUsage();
  };

  const endRekey = (): void => {
    rekey?.wipe();
    rekey = undefined;
  };

  const dropCompleting = (): void => {
    completing?.unsealKey.fill(0);
    completing = undefined;
  };

  /**
   * Ends the attempt and holds its new unseal key until the returned function, run once the answer
   * is recorded, writes it; anything that ends the wait first (a new rekey, sealing) voids it.
   */
  const complete = (attempt: RekeyAttempt, unsealKey: Uint8Array): ApplyRekey => {
    dropCompleting();
    const mine = { unsealKey: Uint8Array.from(unsealKey), next: attempt.request.next };
    completing = mine;
    endRekey();
    return () => serial(async () => {
      if (completing !== mine) throw new SealtrailError('invalid', 'rekey_superseded', 'the rekey was cancelled, superseded or sealed away before its new shares were recorded; the old shares stay in force');
      try {
        await applyRekey(mine.next, mine.unsealKey, requireUnsealed().rootKey);
      } finally {
        dropCompleting();
      }
    });
  };

  /** The keyring and root key, or `sealed()`. */
  const requireUnsealed = (): { ring: Keyring; rootKey: Uint8Array } => {
    if (ring === undefined || rootKey === undefined) throw sealed();
    return { ring, rootKey };
  };

  const requireRekey = (): RekeyAttempt => {
    if (rekey === undefined) throw invalid('no rekey in progress', 'rekey_not_started');
    return rekey;
  };

  /**
   * Combines shares into a key (with one share, the share is the key); two different shares with
   * the same x coordinate are not shares of one secret.
   */
  const combined = async (shares: readonly Uint8Array[], one: boolean): Promise<Uint8Array> => {
    if (one) return new Uint8Array(shares[0]);
    try {
      return await combine([...shares]);
    } catch {
      throw new SealtrailError('invalid', 'unseal_failed', 'failed to compute combined key: inconsistent key shares');
    }
  };

  /** Writes the new configuration and the root key under the new unseal key, in one transaction. */
  const applyRekey = async (next: SealConfig, unsealKey: Uint8Array, root: Uint8Array): Promise<void> => {
    await physical.transaction([
      { op: 'put', key: SEAL_CONFIG_KEY, value: encodeSealConfig(next) },
      rootKeyRecord(unsealKey, root),
    ]);
    config = next;
  };

  /** Adds a keyring term (sys/rotate, or the usage limit); its count starts at 0, written with it. */
  const rotateTerm = (): Promise<number> =>
    serial(async () => {
      const { ring: live, rootKey: root } = requireUnsealed();
      // Build the next keyring beside the live one, persist it, then swap: a failed write leaves
      // the old keyring in use and nothing half-applied.
      const plain = live.serialize();
      const next = Keyring.deserialize(plain);
      plain.fill(0);
      const term = live.activeTerm + 1;
      next.add(term, randomKey(), clock.now());
      try {
        await physical.transaction([keyringRecord(root, next), { op: 'put', key: KEY_USAGE_KEY, value: encodeKeyUsage({ term, encryptions: 0 }) }]);
      } catch (err) {
        next.wipe();
        throw err;
      }
      ring = next;
      live.wipe();
      encryptions = persisted = 0;
      // A count of the old term still being written may land after the new term's: written again after it.
      if (writing !== undefined) void persistUsage();
      return term;
    });

  const wipe = (): void => {
    endRekey();
    dropCompleting();
    rotation = DEFAULT_ROTATION_CONFIG;
    ring?.wipe();
    ring = undefined;
    rootKey?.fill(0);
    rootKey = undefined;
    progress.reset();
  };

  return {
    barrier,
    status,
    isSealed: () => ring === undefined,

    initialize: (opts) =>
      serial(async (): Promise<InitResult> => {
        if ((await loadConfig()) !== undefined) throw invalid('Vault is already initialized', 'already_initialized');
        const next = validateSealConfig(opts);
        const unsealKey = opts.unsealKey !== undefined ? givenUnsealKey(opts.unsealKey) : randomKey();
        const newRoot = randomKey();
        const newRing = new Keyring();
        newRing.add(1, randomKey(), clock.now());
        try {
          // With one share the share is the unseal key itself (the library needs at least two).
          const keys = next.secretShares === 1 ? [Uint8Array.from(unsealKey)] : await split(unsealKey, next.secretShares, next.secretThreshold);
          await physical.transaction([
            { op: 'put', key: SEAL_CONFIG_KEY, value: encodeSealConfig(next) },
            rootKeyRecord(unsealKey, newRoot),
            keyringRecord(newRoot, newRing),
          ]);
          config = next;
          if (opts.unseal === true) await unlock(unsealKey);
          return { keys };
        } finally {
          unsealKey.fill(0);
          newRoot.fill(0);
          newRing.wipe();
        }
      }),

    submitUnsealKey: (key, opts) =>
      serial(async () => {
        const c = await requireConfig();
        if (opts?.reset === true) {
          progress.reset();
          return status();
        }
        if (ring !== undefined) return status(); // already unsealed: nothing to do, as in Vault
        const shareBytes = c.secretShares === 1 ? KEY_BYTES : KEY_BYTES + 1;
        if (!(key instanceof Uint8Array) || key.length !== shareBytes) {
          throw invalid(`unseal key share must be ${shareBytes} bytes`, 'invalid_unseal_key');
        }
        progress.add(key);
        if (progress.count < c.secretThreshold) return status();

        let candidate: Uint8Array | undefined;
        try {
          candidate = await combined(progress.current(), c.secretShares === 1);
          await unlock(candidate);
        } finally {
          candidate?.fill(0);
          progress.reset(); // success or failure, the attempt is over
        }
        return status();
      }),

    unsealWithKey: (unsealKey) =>
      serial(async () => {
        await requireConfig();
        if (ring !== undefined) return;
        if (!(unsealKey instanceof Uint8Array) || unsealKey.length !== KEY_BYTES) throw unsealFailed();
        await unlock(unsealKey);
        progress.reset();
      }),

    seal: () =>
      serial(async () => {
        if (ring !== undefined) await persistUsage(true);
        wipe();
      }),

    reloadKeyring: () =>
      serial(async () => {
        const { ring: old, rootKey: root } = requireUnsealed();
        ring = await readKeyring(physical, root);
        old.wipe();
        // Another node may have rekeyed the seal too: its shares and threshold are read again.
        config = (await readSealConfig(physical)) ?? config;
        await loadUsage();
      }),

    rekeyStatus: () =>
      serial(async () => {
        requireUnsealed();
        const c = await requireConfig();
        return rekey?.status(c.secretThreshold) ?? NOT_STARTED(c.secretThreshold);
      }),

    startRekey: (opts) =>
      serial(async () => {
        requireUnsealed();
        const c = await requireConfig();
        if (rekey !== undefined) throw invalid('rekey already in progress', 'rekey_in_progress');
        const next = validateSealConfig(opts);
        dropCompleting();
        rekey = new RekeyAttempt({ next, requireVerification: opts.requireVerification });
        return rekey.status(c.secretThreshold);
      }),

    cancelRekey: () =>
      serial(async () => {
        requireUnsealed();
        endRekey();
      }),

    submitRekeyKey: (key, nonce) =>
      serial(async (): Promise<RekeyProgress> => {
        requireUnsealed();
        const c = await requireConfig();
        const attempt = requireRekey();
        attempt.addShare(key, nonce, shareBytesOf(c));
        if (attempt.shares.count < c.secretThreshold) return { complete: false, status: attempt.status(c.secretThreshold) };

        // The threshold is reached: the shares given are used up whatever happens next.
        let current: Uint8Array | undefined;
        const unsealKey = randomKey();
        try {
          current = await combined(attempt.shares.current(), c.secretShares === 1);
          if (!opensRootKey(await physical.get(ROOT_KEY_KEY), current)) throw new SealtrailError('invalid', 'rekey_failed', 'rekey failed: the key shares given do not combine into the unseal key');
          const { next } = attempt.request;
          // With one share the share is the unseal key itself (the library needs at least two).
          const keys = next.secretShares === 1 ? [Uint8Array.from(unsealKey)] : await split(unsealKey, next.secretShares, next.secretThreshold);
          if (attempt.request.requireVerification) {
            const verificationNonce = attempt.awaitVerification(unsealKey);
            return { complete: true, nonce: attempt.nonce, keys, verificationRequired: true, verificationNonce };
          }
          return { complete: true, nonce: attempt.nonce, keys, verificationRequired: false, verificationNonce: '', apply: complete(attempt, unsealKey) };
        } finally {
          current?.fill(0);
          unsealKey.fill(0);
          attempt.shares.reset();
        }
      }),

    rekeyVerifyStatus: () =>
      serial(async () => {
        requireUnsealed();
        return rekey?.verifyStatus() ?? { started: false, nonce: '', t: 0, n: 0, progress: 0 };
      }),

    submitRekeyVerifyKey: (key, nonce) =>
      serial(async (): Promise<RekeyVerifyProgress> => {
        requireUnsealed();
        const attempt = requireRekey();
        const verifyNonce = attempt.requirePending().nonce;
        if (!attempt.addVerifyShare(key, nonce)) return { complete: false, nonce: verifyNonce, status: attempt.verifyStatus() };
        const pending = attempt.requirePending();
        let candidate: Uint8Array | undefined;
        try {
          candidate = await combined(pending.shares.current(), attempt.request.next.secretShares === 1);
          if (!attempt.verifies(candidate)) throw new SealtrailError('invalid', 'rekey_verification_failed', 'rekey verification failed: the new key shares given do not combine into the new unseal key');
        } catch (err) {
          // A failed verification starts over with the same new shares and a new nonce.
          attempt.restartVerification();
          throw err;
        } finally {
          candidate?.fill(0);
        }
        return { complete: true, nonce: verifyNonce, apply: complete(attempt, pending.unsealKey) };
      }),

    cancelRekeyVerify: () =>
      serial(async () => {
        requireUnsealed();
        const attempt = requireRekey();
        attempt.restartVerification();
        return attempt.verifyStatus();
      }),

    rotate: () => rotateTerm(),

    rotationConfig: async () => {
      requireUnsealed();
      return { ...rotation };
    },

    setRotationConfig: (config) =>
      serial(async () => {
        requireUnsealed();
        await physical.put(ROTATION_CONFIG_KEY, encodeRotationConfig(config));
        rotation = { ...config };
      }),

    keyStatus: async () => {
      const active = ring?.activeEntry();
      if (active === undefined) throw sealed();
      return { term: active.term, installTimeMs: active.installTimeMs, encryptions };
    },
  };
}

/** A copy of an unseal key given to initialize (the caller keeps and wipes its own). */
function givenUnsealKey(key: Uint8Array): Uint8Array {
  if (!(key instanceof Uint8Array) || key.length !== KEY_BYTES) throw invalid(`unseal key must be ${KEY_BYTES} bytes`, 'invalid_unseal_key');
  return Uint8Array.from(key);
}
