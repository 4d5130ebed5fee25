/**
 * The non-audited system endpoints, as in Vault: sys/init, sys/seal-status, sys/unseal,
 * sys/leader, sys/health (and sys/metrics when unauthenticated access is configured). They work
 * while sealed or on a standby, where there is no audit device, so they are answered before the
 * lifecycle. (sys/seal is audited, as in Vault: sealing.ts; on a sealed server it is answered here,
 * and on a standby refused here.)
 * Their bodies are Vault's bare JSON objects, not the usual response envelope.
 */
import type { SysCore } from './sys-core.js';
import type { LogicalRequest, LogicalResponse } from '../core/index.js';
import { SealtrailError, invalid, unsupportedOperation } from '../errors/index.js';
import { VERSION } from '../lib/version.js';
import type { SealStatus } from '../storage/index.js';
import { lostEntriesView } from './audit-losses.js';
import { journalHealthFields } from './journal-health.js';
import { eventStoreHealthFields } from './event-store-health.js';
import { metricsAnswer } from './system-info.js';
import { decodeKeyShare, fieldsSet, positiveInt } from './seal-input.js';
import type { JournalHealth } from '../journal/index.js';
import { parseGoBool } from '../lib/go-bool.js';

export interface SealEndpointsDeps {
  storageType: string;
  clusterName: string;
  clusterId: string;
  /** sys/metrics without a token and without audit (config unauthenticated_metrics_access). */
  unauthenticatedMetrics: boolean;
  /** Creates the root token right after init (the barrier is briefly unsealed for it). */
  createRootToken(core: SysCore): Promise<string>;
  /** Checks what unsealing will need (the config's audit devices) before init persists anything. */
  beforeInit?(): Promise<void>;
  /** The server unseals itself from a key file (seal "file"), which holds one whole key. */
  autoUnseal?: boolean;
  /** HA: the node decides when services are built (when it holds the lock), not the unseal. */
  ha?: SealEndpointsHa;
  /** The journal's indexer and ledger (absent with the journal off): sys/health and sys/metrics. */
  journalHealth?: () => JournalHealth;
}

export interface SealEndpointsHa {
  /** The barrier is unsealed: the node stands by and competes for the lock. */
  unsealed(): void;
  /** Unsealed and not serving (a standby, or between roles). */
  standingBy(): boolean;
  leader(): object;
  /** sys/init: takes the HA lock for the time of the init; undefined when another node holds it. */
  lockForInit(): Promise<{ release(): Promise<void> } | undefined>;
}

const json = (body: Record<string, unknown>, httpStatus = 200): LogicalResponse => ({
  httpStatus,
  raw: { contentType: 'application/json', body },
});

export function sealEndpoints(deps: SealEndpointsDeps) {
  async function sealStatusBody(core: SysCore, status?: SealStatus): Promise<Record<string, unknown>> {
    const s = status ?? (await core.seal.status());
    const body: Record<string, unknown> = {
      type: s.type, initialized: s.initialized, sealed: s.sealed, t: s.t, n: s.n, progress: s.progress,
      nonce: s.nonce, version: VERSION, build_date: '', migration: false, recovery_seal: false,
      storage_type: deps.storageType,
    };
    if (!s.sealed) Object.assign(body, { cluster_name: deps.clusterName, cluster_id: deps.clusterId });
    return body;
  }

  async function initialize(core: SysCore, shares: number, threshold: number): Promise<LogicalResponse> {
    // Checked again under the HA lock: another node may have initialized meanwhile.
    if ((await core.seal.status()).initialized) throw invalid('Vault is already initialized', 'already_initialized');
    // Unsealed briefly with the new key to create the root token, then sealed again (as Vault does).
    const { keys } = await core.seal.initialize({ secretShares: shares, secretThreshold: threshold, unseal: true });
    await core.afterUnseal();
    const rootToken = await deps.createRootToken(core);
    await core.sealNow();
    return json({
      keys: keys.map((k) => Buffer.from(k).toString('hex')),
      keys_base64: keys.map((k) => Buffer.from(k).toString('base64')),
      root_token: rootToken,
    });
  }

  return async function handle(core: SysCore, req: LogicalRequest): Promise<LogicalResponse | undefined> {
    switch (req.path) {
      case 'sys/init': {
        if (req.operation === 'read') return json({ initialized: (await core.seal.status()).initialized });
        if (req.operation !== 'update' && req.operation !== 'create') throw unsupportedOperation();
        refuseEncryptedOutput(req.data);
        const { shares, threshold } = initShares(req.data, deps.autoUnseal === true);
        if ((await core.seal.status()).initialized) throw invalid('Vault is already initialized', 'already_initialized');
        await deps.beforeInit?.();
        // HA: nodes share the storage, and each could find it uninitialized and write its own seal
        // over another's, handing out shares that open nothing. The lock makes it one at a time,
        // taken only now so that the seal is written within moments of it, well inside its lease.
        const lock = deps.ha ? await deps.ha.lockForInit() : undefined;
        if (deps.ha && !lock) throw haLockHeld();
        try {
          return await initialize(core, shares, threshold);
        } finally {
          await lock?.release();
        }
      }
      case 'sys/seal-status':
        if (req.operation !== 'read') throw unsupportedOperation();
        return json(await sealStatusBody(core));
      case 'sys/unseal': {
        if (req.operation !== 'update' && req.operation !== 'create') throw unsupportedOperation();
        const reset = req.data.reset === true;
        const keyText = req.data.key;
        if (!reset && (typeof keyText !== 'string' || keyText === '')) throw invalid("'key' must be specified in request body as JSON, or 'reset' set to true");
        let status = await core.seal.status();
        if (!status.initialized) throw new SealtrailError('uninitialized', 'not_initialized', 'Vault is not initialized');
        if (!status.sealed) return json(await sealStatusBody(core, status));
        // As Vault: `reset` is looked at first, and whatever key comes with it is not.
        status = reset
          ? await core.seal.submitUnsealKey(new Uint8Array(0), { reset: true })
          : await core.seal.submitUnsealKey(decodeKeyShare(keyText as string));
        if (!status.sealed) {
          if (deps.ha) deps.ha.unsealed();
          else await core.afterUnseal();
        }
        return json(await sealStatusBody(core));
      }
      case 'sys/seal': {
        // Sealing a sealed server is done already: 204 whatever the token, as in Vault (and, as
        // for every request while sealed, not audited: there is no audit device). Unsealed, the
        // request is audited and checked like any other (sealing.ts).
        const sealing = req.operation === 'update' || req.operation === 'create';
        if (sealing && core.seal.isSealed()) return { httpStatus: 204 };
        // A standby is never sealed through the API, as in Vault: it has no token store to check
        // the caller with, and no audit device to record it with; it is restarted instead.
        if (deps.ha?.standingBy()) throw sealing ? standbyCannotSeal() : unsupportedOperation();
        return undefined;
      }
      // As Vault: these two answer GET (and HEAD) only; another method is 405, never an answer.
      case 'sys/leader':
        if (req.operation !== 'read') throw unsupportedOperation();
        if (deps.ha) return json({ ...deps.ha.leader() });
        return json({ ha_enabled: false, is_self: false, active_time: '0001-01-01T00:00:00Z', leader_address: '', leader_cluster_address: '', performance_standby: false, performance_standby_last_remote_wal: 0 });
      case 'sys/health':
        if (req.operation !== 'read') throw unsupportedOperation();
        return health(core, req);
      case 'sys/metrics': {
        if (!deps.unauthenticatedMetrics) return undefined; // audited like any path
        // As Vault's unauthenticated handler: GET only, and the same answer as with a token.
        if (req.operation !== 'read') throw unsupportedOperation();
        return { httpStatus: 200, raw: metricsAnswer(core, req.data, deps.journalHealth).raw };
      }
      default:
        return undefined;
    }
  };

  async function health(core: SysCore, req: LogicalRequest): Promise<LogicalResponse> {
    const q = req.data;
    const codes = healthCodes(q);
    const standbyOk = healthFlag(q, 'standbyok');
    healthFlag(q, 'perfstandbyok'); // no performance standbys here, but checked as Vault does
    const s = await core.seal.status();
    const audit = core.unsealedServices?.audit.health();
    const standby = !s.sealed && deps.ha?.standingBy() === true;
    const body: Record<string, unknown> = {
      initialized: s.initialized, sealed: s.sealed, standby, performance_standby: false,
      replication_performance_mode: 'disabled', replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(core.clock.now() / 1000), version: VERSION,
      audit_devices_failing: audit?.failingDevices ?? [],
      ...(deps.journalHealth ? journalHealthFields(deps.journalHealth()) : {}),
      ...eventStoreHealthFields(core.unsealedServices?.trail?.recorder),
    };
    if (audit) {
      // Counts and device paths only: nothing of an entry's contents.
      body.audit_delivery_confirmed = audit.deliveryConfirmed;
      body.audit_devices_lost_entries = Object.fromEntries(Object.entries(audit.lossyDevices).map(([path, l]) => [path, lostEntriesView(l)]));
      if (audit.warnings.length > 0) body.audit_warnings = audit.warnings;
    }
    if (!s.sealed) Object.assign(body, { cluster_name: deps.clusterName, cluster_id: deps.clusterId });
    // As Vault: a standby answers 429 unless asked `standbyok=true`, so load balancers find the active.
    const status = !s.initialized ? codes.uninitcode : s.sealed ? codes.sealedcode
      : standby && !standbyOk ? codes.standbycode : codes.activecode;
    return json(body, status);
  }
}

const haLockHeld = () => new SealtrailError('unavailable', 'ha_lock_held', 'another node holds the HA lock: the cluster is being initialized through it; retry shortly');

const standbyCannotSeal = () => new SealtrailError('invalid', 'ha_standby_cannot_seal', 'this node is a standby: only the active node can be sealed; restart a standby to take it out');

/** Vault's sys/health status parameters and their defaults (the last two never apply here, but are checked as Vault does). */
const HEALTH_CODES = { uninitcode: 501, sealedcode: 503, standbycode: 429, activecode: 200, drsecondarycode: 472, performancestandbycode: 473 };

/**
 * The status each state answers with. As Vault, a parameter that is not a number is a 400; and a
 * code must be a final status: an interim 1xx would leave the client waiting for an answer that
 * never comes (and on a kept-alive connection, take the next request's answer for its own).
 */
function healthCodes(q: Record<string, unknown>): Record<keyof typeof HEALTH_CODES, number> {
  const codes = { ...HEALTH_CODES };
  for (const name of Object.keys(codes) as Array<keyof typeof HEALTH_CODES>) {
    if (!Object.hasOwn(q, name)) continue;
    const v = q[name];
    const n = typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : 0;
    if (n < 200 || n > 599) throw invalid(`${name} must be an HTTP status code from 200 to 599`);
    codes[name] = n;
  }
  return codes;
}

/** A boolean query parameter of sys/health, as Vault's parseutil reads it: absent or empty is false. */
function healthFlag(q: Record<string, unknown>, name: string): boolean {
  if (!Object.hasOwn(q, name) || q[name] === '') return false;
  const value = parseGoBool(q[name]);
  if (value === undefined) throw invalid(`bad value for ${name} parameter`);
  return value;
}

/**
 * Vault's CLI defaults (5 shares, threshold 3) unless the body says otherwise. A server that
 * unseals from a key file needs the whole key in one share: it defaults to 1/1 and refuses more,
 * since a split key could never unseal it unattended.
 */
function initShares(data: Record<string, unknown>, autoUnseal: boolean): { shares: number; threshold: number } {
  const given = data.secret_shares !== undefined || data.secret_threshold !== undefined;
  if (!given) return autoUnseal ? { shares: 1, threshold: 1 } : { shares: 5, threshold: 3 };
  const shares = positiveInt(data, 'secret_shares');
  const threshold = positiveInt(data, 'secret_threshold');
  if (autoUnseal && (shares !== 1 || threshold !== 1)) {
    throw invalid('this server unseals itself from its key file (seal "file"), which holds one whole key: initialize with secret_shares=1 and secret_threshold=1 (sealtrail operator init -key-shares=1 -key-threshold=1)', 'invalid_seal_config');
  }
  return { shares, threshold };
}

/**
 * Vault encrypts the shares to `pgp_keys` and the root token to `root_token_pgp_key`; Sealtrail
 * cannot, so it refuses them rather than answer in the clear to a caller who asked that nothing
 * secret reach its output unencrypted. Vault's CLI sends them empty (null, "") when not set.
 */
function refuseEncryptedOutput(data: Record<string, unknown>): void {
  const names = fieldsSet(data, ['pgp_keys', 'root_token_pgp_key']);
  if (names.length === 0) return;
  throw new SealtrailError('invalid', 'init_pgp_unsupported', `${names.join(' and ')}: PGP encryption of the unseal key shares and the root token is not supported; initialize without them`);
}
