/**
 * sys/rekey/init, sys/rekey/update and sys/rekey/verify: Vault's rekey of the unseal key shares
 * (storage/barrier/rekey.ts), with Vault's request fields and bare JSON answers, so that
 * `vault operator rekey` and Vault's API clients drive it unchanged.
 *
 * Unlike Vault, which serves them without a token and audits none of them, they are root-protected
 * and audited like every sys/ path: a token with `sudo` is needed to start, cancel or advance a
 * rekey, and the trail records who did. (OpenBao deprecated the unauthenticated endpoints for
 * that reason: anyone could cancel an operator's rekey, unseen.) The shares given are request
 * values, HMAC'd in the audit entries like every other; the new shares are never in an entry:
 * the response entries record the attempt's state only.
 *
 * A new unseal key is put in force only once the answer that completes the rekey is recorded
 * (the lifecycle's `afterRecorded`): if the response entry cannot be written, the client gets 500
 * without the new shares, and the old ones must still open the server.
 */
import type { PathSpec } from '../core/index.js';
import { SealtrailError, invalid } from '../errors/index.js';
import type { SealManager, RekeyStatus, RekeyVerifyStatus } from '../storage/index.js';
import { decodeKeyShare, fieldsSet, positiveInt } from './seal-input.js';
import { boolField } from '../auth/index.js';

export interface RekeyPathsDeps {
  seal: SealManager;
  /** The file a server unseals itself from (seal "file", dev mode): a rekey would leave it useless. */
  unsealKeyFile?: string;
}

const bare = (body: Record<string, unknown>, auditData: Record<string, unknown> = body) => ({
  data: auditData,
  raw: { contentType: 'application/json', body },
});

/** Vault's RekeyStatusResponse. */
function statusBody(s: RekeyStatus): Record<string, unknown> {
  const body: Record<string, unknown> = {
    started: s.started, nonce: s.nonce, t: s.t, n: s.n, progress: s.progress, required: s.required,
    pgp_fingerprints: null, backup: false, verification_required: s.verificationRequired,
  };
  if (s.verificationNonce) body.verification_nonce = s.verificationNonce;
  return body;
}

/** Vault's RekeyVerificationStatusResponse. */
const verifyStatusBody = (s: RekeyVerifyStatus): Record<string, unknown> => ({ started: s.started, nonce: s.nonce, t: s.t, n: s.n, progress: s.progress });

export function rekeyPaths(deps: RekeyPathsDeps): PathSpec[] {
  const { seal } = deps;
  return [
    {
      pattern: 'rekey/init',
      handlers: {
        read: async () => bare(statusBody(await seal.rekeyStatus())),
        update: async (req) => {
          if (deps.unsealKeyFile !== undefined) {
            throw new SealtrailError('invalid', 'rekey_key_file_seal', `this server unseals itself from its key file (${deps.unsealKeyFile}), which holds the whole unseal key: a rekey would leave that file unable to unseal it`);
          }
          refuseEncryptedOutput(req.data);
          const status = await seal.startRekey({
            secretShares: positiveInt(req.data, 'secret_shares'),
            secretThreshold: positiveInt(req.data, 'secret_threshold'),
            requireVerification: boolField(req.data, 'require_verification') === true,
          });
          return bare(statusBody(status));
        },
        delete: async () => {
          await seal.cancelRekey();
          return undefined;
        },
      },
    },
    {
      pattern: 'rekey/update',
      handlers: {
        update: async (req) => {
          const { key, nonce } = shareInput(req.data);
          const result = await seal.submitRekeyKey(key, nonce);
          if (!result.complete) return bare(statusBody(result.status));
          const recorded: Record<string, unknown> = { complete: true, nonce: result.nonce, pgp_fingerprints: null, backup: false, verification_required: result.verificationRequired };
          if (result.verificationNonce) recorded.verification_nonce = result.verificationNonce;
          const body = {
            ...recorded,
            keys: result.keys.map((k) => Buffer.from(k).toString('hex')),
            keys_base64: result.keys.map((k) => Buffer.from(k).toString('base64')),
          };
          for (const k of result.keys) k.fill(0);
          // The new shares go to the caller only: the response entries say how many, not what.
          return { ...bare(body, { ...recorded, shares: result.keys.length }), afterRecorded: result.apply };
        },
      },
    },
    {
      pattern: 'rekey/verify',
      handlers: {
        read: async () => bare(verifyStatusBody(await seal.rekeyVerifyStatus())),
        update: async (req) => {
          const { key, nonce } = shareInput(req.data);
          const result = await seal.submitRekeyVerifyKey(key, nonce);
          if (!result.complete) return bare(verifyStatusBody(result.status));
          return { ...bare({ nonce: result.nonce, complete: true }), afterRecorded: result.apply };
        },
        delete: async () => bare(verifyStatusBody(await seal.cancelRekeyVerify())),
      },
    },
  ];
}

function shareInput(data: Record<string, unknown>): { key: Uint8Array; nonce: string } {
  const { key, nonce } = data;
  if (typeof key !== 'string' || key === '') throw invalid("'key' must be specified in request body as JSON");
  if (typeof nonce !== 'string' || nonce === '') throw invalid("'nonce' must be specified in request body as JSON");
  return { key: decodeKeyShare(key), nonce };
}

/**
 * Vault encrypts the new shares to `pgp_keys`, and can keep an encrypted copy (`backup`) or store
 * shares for an auto-unseal (`stored_shares`); Sealtrail does none of these, so it refuses them
 * rather than answer in the clear to a caller who asked for encryption. Vault's CLI sends them
 * empty when not set.
 */
function refuseEncryptedOutput(data: Record<string, unknown>): void {
  const names = fieldsSet(data, ['pgp_keys', 'backup', 'stored_shares']);
  if (names.length === 0) return;
  throw new SealtrailError('invalid', 'rekey_pgp_unsupported', `${names.join(', ')}: PGP-encrypted, backed-up or stored key shares are not supported; rekey without them`);
}
