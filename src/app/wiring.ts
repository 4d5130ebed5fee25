/**
 * Wiring: builds the services that exist while unsealed from the barrier. The one place that
 * knows every module; each module only gets the narrow dependencies it needs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { createAuditManager, sinkFactories, type ConfigDeviceDeclaration, type SinkFactory } from '../audit/index.js';
import { createPolicyStore, ensureDefaultPolicy, tokenBackend, createTokenStore, startTokenTidy, apmBackend, entityIdFor, type ChallengeSource } from '../auth/index.js';
import type { ServerConfig } from '../config/index.js';
import { sealed, SealtrailError } from '../errors/index.js';
import { type Core, Mounts, type BackendFactory, type TokenEntry, type Wrapping, createWrapping, createRateLimits } from '../core/index.js';
import type { JournalHealth, JournalStore, ServerEvents } from '../journal/index.js';
import { auditDeclarations, journalConnectionUrl } from './journal.js';
import type { Ledger, LedgerWitness } from './ledger.js';
import type { Services } from './services.js';
import { capsuleBackend, recordCapsuleMountTune, kvBackend, cubbyholeBackend, type Cubbyholes } from '../secrets/index.js';
import { createKmsEngine } from '../kms/index.js';
import { trailBackend, createTrailManager, createTrailRecorder, createEventStore, createPostgresEventStore, journalCompletion, type LedgerHead } from '../trail/index.js';
import { revocableStorage, storageView, type Storage } from '../storage/index.js';
import { sysBackend, type SysHa } from '../sys/index.js';
import { renderVaultResponse, type ServerLogger } from '../server/index.js';
import { startPeriodicPass } from '../lib/periodic-pass.js';
import { createUndoStack } from '../lib/undo.js';

/** How often keys past their deletion or rotation date are looked for (and once at unseal). */
const KEY_DELETION_SWEEP_MS = 3600_000;

/** Secrets engines by type: adding one is one line here. */
export const SECRET_ENGINES: Record<string, BackendFactory> = {
  kv: kvBackend,
  capsule: async (ctx) => {
    const backend = await capsuleBackend(ctx);
    // Mount tunes are control-log events of the capsule domain.
    return { ...backend, onTune: async (e) => { await recordCapsuleMountTune(backend, { session: e.session, url: e.url, method: e.method, description: e.config }); } };
  },
};

export interface WiringOptions {
  /** PEM roots of the development enclave CA: trusted by attestation only in dev mode. */
  devAttestationRoots?: () => string[];
  /** Where attestation challenges come from (tests only; default the mount's own). */
  apmChallengeSource?: ChallengeSource;
  /** The server's journal (absent when the configuration turns it off). */
  journal?: JournalStore;
  /** The ledger (absent with the journal off): its key is kept in the barrier. */
  ledger?: Ledger;
  /** Audit sink factories by type (the built-in ones, and the journal's when it is on). */
  sinks?: Readonly<Record<string, SinkFactory>>;
  /** Server events for the journal (unseal, seal, audit device failure episodes). */
  events?: ServerEvents;
  /** HA (storage with ha_enabled): sys/ha-status and sys/step-down. */
  ha?: SysHa;
  /** What sys/seal does (with HA: leave the cluster, then seal); default: the core's sealNow. */
  seal?: () => Promise<void>;
  /** The audit devices the configuration declares as of the last reload; default: `config`'s. */
  configDevices?: () => readonly ConfigDeviceDeclaration[];
  /** The journal's indexer and ledger (absent with the journal off): sys/metrics. */
  journalHealth?: () => JournalHealth;
  /** The file the server unseals itself from (seal "file", dev mode): sys/rekey is refused. */
  unsealKeyFile?: string;
}

/** Auth methods by type (the token method is builtin at auth/token/). */
function authMethods(clock: Core['clock'], opts: WiringOptions): Record<string, BackendFactory> {
  return {
    apm: apmBackend({ clock, trustedDevRoots: opts.devAttestationRoots, challengeSource: opts.apmChallengeSource }),
  };
}

/**
 * The response a wrapping token holds, taken out of the wrapping store, as the JSON text of the
 * envelope the token's unwrap would have answered (what Vault keeps at its `cubbyhole/response`).
 */
async function unwrappedText(wrapping: Wrapping | undefined, token: TokenEntry): Promise<string | undefined> {
  if (!wrapping) return undefined;
  let response;
  try {
    response = await wrapping.unwrap(token);
  } catch (err) {
    // Nothing held (unwrapped already, or a record swept): an empty cubbyhole.
    if (err instanceof SealtrailError && err.code === 'wrapping_token_invalid') return undefined;
    throw err;
  }
  const { body } = renderVaultResponse('', 'cubbyhole/response', response);
  return body === undefined ? undefined : body.toString();
}

async function ensureRandomKey(storage: Storage, key: string): Promise<Uint8Array> {
  const existing = await storage.get(key);
  if (existing) return existing;
  const fresh = randomBytes(32);
  await storage.put(key, fresh);
  return fresh;
}

/**
 * The ledger's last signed checkpoint, kept in the barrier (app/ledger.ts, LedgerWitness), one per
 * log: a log is its origin and where its files are. A journal moved to another path, or a new
 * `ledger { origin }`, starts a new log; the same log's files rewritten in place do not.
 */
function ledgerWitness(storage: Storage, ledger: Pick<Ledger, 'origin' | 'dir'>): LedgerWitness {
  const log = createHash('sha256').update(`${ledger.origin}\n${ledger.dir ?? '(the journal database)'}`).digest('hex');
  const key = `sys/ledger-checkpoint/${log}`;
  return {
    read: async () => {
      const note = await storage.get(key);
      return note ? Buffer.from(note).toString('utf8') : undefined;
    },
    write: (note) => storage.put(key, Buffer.from(note, 'utf8')),
  };
}

export function servicesBuilder(config: ServerConfig, log: ServerLogger, opts: WiringOptions = {}) {
  return async function buildServices(core: Core<Services>): Promise<Services> {
    // A build that fails half-way (a database that cannot open, a mount that cannot load) closes
    // what it started, newest first: no audit device, event store, ledger key or timer is left
    // behind by a failed unseal or HA activation, and the next try starts clean.
    const undo = createUndoStack();
    try {
      return await build(core, (step) => undo.push(step));
    } catch (err) {
      await undo.unwind((closeErr) => log.error({ err: closeErr }, 'closing what a failed start of the services had opened failed'));
      throw err;
    }
  };

  async function build(core: Core<Services>, started: (close: () => unknown) => void): Promise<Services> {
    // These services' own handle on the barrier, revoked when they close (storage/revocable.ts).
    const session = revocableStorage(core.seal.barrier, sealed);
    started(() => session.revoke());
    const barrier = session.storage;
    const clock = core.clock;
    const hashKey = await ensureRandomKey(barrier, 'sys/token-hash-key');
    // A token's default and max ttl: the tune of the auth mount that issued it, else the server's;
    // and that mount's word on each renewal.
    let mountTable: Mounts | undefined;
    const ttlLimits = (path: string) => {
      const entry = mountTable?.route(path)?.entry;
      const tuned = entry?.table === 'auth' ? entry.config : undefined;
      return { defaultTtl: tuned?.defaultLeaseTtl || config.defaultLeaseTtl, maxTtl: tuned?.maxLeaseTtl || config.maxLeaseTtl };
    };
    const authorizeRenewal = async (entry: TokenEntry) => {
      const route = mountTable?.route(entry.path);
      if (route?.entry.table === 'auth') return route.backend.authorizeRenewal?.(entry);
    };
    // A deleted token's cubbyhole goes with it, and so does the response a wrapping token held, as
    // in Vault, where it is in that token's cubbyhole (both are made below, before any request).
    const heldByTokens: { cubbyholes?: Cubbyholes; wrapping?: Wrapping } = {};
    const onDeleted = async (idHash: string) => {
      await heldByTokens.cubbyholes?.destroy(idHash).catch((err: unknown) => log.error({ err }, 'the cubbyhole of a deleted token could not be removed'));
      await heldByTokens.wrapping?.discard(idHash).catch((err: unknown) => log.error({ err }, 'the wrapped response of a deleted token could not be removed'));
    };
    const tokens = createTokenStore({ storage: storageView(barrier, 'sys/token/'), clock, hashKey, ttlLimits, authorizeRenewal, onDeleted });
    // Index entries keyed by plain accessors (a storage written before they were hashed) are moved.
    const movedTokens = await tokens.migrate();
    if (movedTokens > 0) log.info({ tokens: movedTokens }, 'token accessor index moved to hashed keys');
    const policies = createPolicyStore({ storage: storageView(barrier, 'sys/policy/') });
    await ensureDefaultPolicy(policies);

    const audit = createAuditManager({
      storage: storageView(barrier, 'sys/audit/'),
      clock,
      log: log.child({ module: 'audit' }),
      sinks: opts.sinks ?? sinkFactories,
      settings: {
        allowApiAuditCreation: config.allowApiAuditCreation,
        allowAuditLogPrefixing: config.allowAuditLogPrefixing,
        blockTimeoutMs: config.auditBlockTimeoutMs,
      },
      onEpisode: (device, failing, reason) =>
        opts.events?.record(failing ? 'audit_device_failing' : 'audit_device_recovered', { device, ...(reason ? { reason } : {}) }),
    });
    started(() => audit.close());
    await audit.load();
    await audit.applyConfigDevices(opts.configDevices?.() ?? auditDeclarations(config));

    // Each trail digest names the ledger's latest signed checkpoint.
    const trail = await buildTrail(config, core, log, opts.journal, opts.events, opts.ledger && (() => opts.ledger?.current()));
    started(() => trail.close());
    // The ledger key: made once, kept in the barrier like the trail's event key.
    // The last checkpoint it signed is kept there too, beyond the reach of whoever can write its files.
    if (opts.ledger) {
      const ledger = opts.ledger;
      await ledger.unsealed(await ensureRandomKey(barrier, 'sys/ledger-key'), ledgerWitness(barrier, ledger));
      started(() => ledger.sealed());
    }
    const kms = createKmsEngine(
      { storage: storageView(barrier, 'sys/kms/'), clock },
      { accountId: config.kms.accountId, region: config.kms.region, tokens, policies, trustedRoots: () => opts.devAttestationRoots?.() ?? [], recorder: trail.recorder },
    );

    const quotas = createRateLimits({ storage: storageView(barrier, 'sys/quotas/'), clock, mountOf: (path) => mountTable?.route(path)?.prefix });
    const mounts = (mountTable = new Mounts({
      storage: barrier, clock, secretEngines: SECRET_ENGINES, authMethods: authMethods(clock, opts), journal: opts.journal,
      revokeLogins: async (prefix) => { await tokens.revokeIssuedUnder(prefix); },
      onDisabled: (prefix) => quotas.forgetMount(prefix),
    }));
    const defaults = { defaultLeaseTtl: config.defaultLeaseTtl, maxLeaseTtl: config.maxLeaseTtl };
    await mounts.addBuiltin('secret', 'sys/', 'system', sysBackend({
      core, audit, tokens, policies, defaults, quotas, trails: () => trail.trails, journal: opts.journal, ledger: opts.ledger, ha: opts.ha,
      seal: opts.seal ?? (() => core.sealNow()), journalHealth: opts.journalHealth, unsealKeyFile: opts.unsealKeyFile,
    }), 'system endpoints used for control, policy and debugging');
    await mounts.addBuiltin('auth', 'auth/token/', 'token', tokenBackend({ tokens, policies, clock }), 'token based credentials');
    await mounts.addBuiltin('secret', 'cubbyhole/', 'cubbyhole', cubbyholeBackend({ isStored: (token) => tokens.isStored(token), unwrapped: (token) => unwrappedText(heldByTokens.wrapping, token) }, (c) => { heldByTokens.cubbyholes = c; }), 'per-token private secret storage', { local: true });
    await mounts.addBuiltin('secret', 'kms/', 'kms', kms.backend, 'AWS KMS-compatible keys (AWS JSON 1.1 at POST /)');
    await mounts.addBuiltin('secret', 'trail/', 'trail', trailBackend({
      store: () => trail.store, trails: () => trail.trails, region: config.kms.region, accountId: config.kms.accountId, recorder: trail.recorder, identify: kms.identify,
    }), 'CloudTrail event history');
    started(() => mounts.closeAll());
    await mounts.load();
    await quotas.load();
    const wrapping = createWrapping({ storage: storageView(barrier, 'sys/wrapping/'), tokens, clock });
    heldByTokens.wrapping = wrapping;
    await wrapping.migrate(async (accessor) => (await tokens.lookupByAccessor(accessor))?.idHash);
    const tokenTidy = startTokenTidy({
      tokens,
      intervalMs: config.tokenTidyIntervalMs,
      onPass: (revoked) => { if (revoked > 0) log.info({ revoked }, 'token tidy: expired tokens removed'); },
      onError: (err) => log.error({ err }, 'token tidy failed'),
    });
    started(() => tokenTidy.stop());
    const keyDeletion = startPeriodicPass({
      pass: async (signal) => ({ deleted: await kms.purgeDueKeys(signal), rotated: await kms.rotateDueKeys(signal) }),
      intervalMs: KEY_DELETION_SWEEP_MS,
      onPass: ({ deleted, rotated }) => {
        if (deleted > 0) log.info({ deleted }, 'kms: keys past their deletion date deleted');
        if (rotated > 0) log.info({ rotated }, 'kms: keys past their rotation date rotated');
      },
      onError: (err) => log.error({ err }, 'kms: the deletion or rotation of keys past their date failed'),
    });
    started(() => keyDeletion.stop());
    opts.events?.record('unseal');
    let closing = false;
    return {
      tokens, tokenTidy, policies, audit, mounts, kms, trail, wrapping, quotas,
      get closing() { return closing; },
      // The tidy passes first (they write tokens and keys), the background writers next, then the mounts.
      async close() {
        closing = true;
        opts.events?.record('seal');
        try {
          await tokenTidy.stop();
          await keyDeletion.stop();
          // The last checkpoint is signed while the key is still at hand.
          await opts.ledger?.sealed();
          await trail.close();
          await audit.close();
          await mounts.closeAll();
        } finally {
          session.revoke();
          tokens.clearCache();
          policies.clearCache();
        }
      },
    };
  }
}

/**
 * The CloudTrail side: events in their own SQLite file beside the main database, or in the journal's
 * PostgreSQL database when the journal is there (index columns in
 * the clear, each record AES-256-GCM encrypted under a key kept in the barrier), trails delivering
 * signed files, and the recorder the AWS edge writes every call to.
 */
async function buildTrail(
  config: ServerConfig, core: Core<Services>, log: ServerLogger, journal: JournalStore | undefined, events: ServerEvents | undefined,
  ledgerHead: (() => LedgerHead | undefined) | undefined,
) {
  const barrier = core.seal.barrier;
  const encryptionKey = await ensureRandomKey(barrier, 'sys/trail-event-key');
  // With the journal on PostgreSQL the events are there too: LookupEvents and delivery go on after a failover.
  const store = config.journal.storage === 'postgresql'
    ? await createPostgresEventStore({
      url: journalConnectionUrl(config), encryptionKey, clock: core.clock, retentionMs: config.eventRetentionMs,
      onError: (err) => log.warn({ err: err.message }, 'a PostgreSQL connection of the event store failed'),
    })
    : createEventStore({
      path: config.storage.type === 'sqlite' ? join(dirname(config.storage.path), 'events.db') : ':memory:',
      encryptionKey,
      clock: core.clock,
      retentionMs: config.eventRetentionMs,
    });
  const trails = createTrailManager({
    trails: config.trails,
    accountId: config.kms.accountId,
    region: config.kms.region,
    store: () => store,
    storage: storageView(barrier, 'sys/trail/'),
    clock: core.clock,
    ledgerHead,
    // Once per episode, and only a code: never a message, body or credential.
    onHealth: (event) => {
      if (event.type === 'failing') log.error({ trail: event.trail, code: event.code }, 'trail delivery failing; pending files are kept and retried');
      else log.info({ trail: event.trail, failedAttempts: event.failedAttempts }, 'trail delivery recovered');
    },
  });
  try {
    await trails.start();
  } catch (err) {
    // Timers of the trails started before the one that failed, then the store.
    await trails.stop().catch(() => undefined);
    await store.close();
    throw err;
  }
  // What a stopped or crashed process left out of the store, from the journal (trail/waiting-events.ts).
  const stopCompletion = new AbortController();
  const completion = journal && journalCompletion({
    journal, store, retentionMs: config.eventRetentionMs, now: () => core.clock.now(), signal: stopCompletion.signal, events,
    onStored: (stored) => log.info({ stored }, 'CloudTrail events the event store lacked are stored from the journal'),
  });
  const recorder = createTrailRecorder({
    store: () => store, journal, clock: core.clock, recipientEntity: entityIdFor, completion,
    onStoreFailing: (err) => {
      const code = (err as NodeJS.ErrnoException).code;
      log.error({ err: (err as Error).message, code }, 'the CloudTrail event store cannot take events; they wait and are retried');
      events?.record('event_store_failing', { code: String(code ?? 'unknown') });
    },
    onStoreRecovered: () => {
      log.info('the CloudTrail event store takes events again; the waiting ones are stored');
      events?.record('event_store_recovered');
    },
  });
  return {
    store,
    trails,
    recorder,
    async close() {
      stopCompletion.abort();
      const lost = await recorder.close();
      // With the journal, the next start stores them from it (trail/waiting-events.ts).
      if (lost > 0) {
        log.error({ events: lost }, journal
          ? 'CloudTrail events the event store could not take before it closed: the next start stores them from the journal'
          : 'CloudTrail events the event store could not take before it closed, lost to LookupEvents and trails (the journal is disabled)');
      }
      await trails.stop();
      await store.close();
    },
  };
}
