/**
 * One node of an HA cluster (Vault's semantics): unsealed nodes compete for the lock; the holder is
 * active and builds the services from storage; the others stand by, answer only the few local
 * endpoints and send clients to the active (the edge does that, from `view`).
 *
 * The active renews its lease every ttl/3. It stops serving on its own as soon as its serving
 * window (timing.ts) has passed without a successful renewal — checked on every request by the
 * edge, and by a timer that then tears the services down — so it has stopped before any other
 * node can take the lock. Losing the lock, stepping down and being sealed all end the same way:
 * services torn down, back to standby (or sealed).
 */
import type { HaBackend, HaCore, HaRole, LockHolder, NodeRoleView } from './types.js';
import { monotonicMs, type HaTiming } from './timing.js';

export interface HaLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface HaNodeOptions {
  nodeId: string;
  apiAddr: string;
  backend: HaBackend;
  core: HaCore;
  timing: HaTiming;
  log: HaLog;
  /** Wall clock, only for `active_time` in sys/leader. */
  now: () => number;
}

export interface LeaderStatus {
  ha_enabled: true;
  is_self: boolean;
  active_time: string;
  leader_address: string;
  leader_cluster_address: string;
  performance_standby: false;
  performance_standby_last_remote_wal: 0;
}

export interface HaNode {
  readonly nodeId: string;
  readonly view: NodeRoleView;
  role(): HaRole;
  /**
   * Active or activating, within the window its last lease renewal allows: the one node that may
   * append (journal records, the ledger). A node whose event loop stalled past the window still
   * says `active` until its fence timer runs; this says no at once.
   */
  holdsLease(): boolean;
  /** The barrier was unsealed: start competing for the lock. */
  unsealed(): void;
  /** The barrier is being sealed: stop serving, release the lock. */
  sealed(): Promise<void>;
  /** sys/step-down: release the lock and stay out of the election for the hold-off. */
  stepDown(): Promise<void>;
  leader(): LeaderStatus;
  /**
   * sys/init on a sealed node: the lock, held while the storage is initialized, so that two nodes
   * cannot both find it uninitialized and write their own seal. Undefined when another node holds it.
   */
  lockForInit(): Promise<{ release(): Promise<void> } | undefined>;
  nodes(): Promise<Array<{ node_id: string; api_address: string; cluster_address: string; active_node: boolean; last_echo: string }>>;
  stop(): Promise<void>;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function createHaNode(opts: HaNodeOptions): HaNode {
  const { nodeId, apiAddr, backend, core, timing, log } = opts;
  let role: HaRole = 'sealed';
  /** Monotonic ms until which the active may serve (0: not serving). */
  let servingUntil = 0;
  let leader: LockHolder | undefined;
  let activeSince: number | undefined;
  let holdOffUntil = 0;
  let stopped = false;
  let loop: NodeJS.Timeout | undefined;
  let fenceTimer: NodeJS.Timeout | undefined;
  /** Role changes (building and tearing down services) run one after another. */
  let transition: Promise<void> = Promise.resolve();
  const serially = (fn: () => Promise<void>): Promise<void> => (transition = transition.then(fn, fn));

  const serving = () => role === 'active' && monotonicMs() < servingUntil;
  const view: NodeRoleView = {
    serving,
    standingBy: () => role !== 'sealed' && !serving(),
    leaderAddress: () => (leader !== undefined && leader.nodeId !== nodeId && leader.apiAddr !== '' ? leader.apiAddr : undefined),
  };

  const schedule = (ms: number) => {
    clearTimeout(loop);
    if (stopped || role === 'sealed') return;
    loop = setTimeout(() => void tick(), ms);
  };

  const extendServing = (sentAt: number) => {
    servingUntil = sentAt + timing.servingWindowMs;
    clearTimeout(fenceTimer);
    fenceTimer = setTimeout(() => {
      if ((role === 'active' || role === 'activating') && monotonicMs() >= servingUntil) {
        log.error({ nodeId }, 'ha: the lease could not be renewed in time; this node stops serving (fenced) and returns to standby');
        void demote({ release: false, holdOffMs: 0 });
      }
    }, Math.max(0, servingUntil - monotonicMs()) + 1);
  };

  async function tick(): Promise<void> {
    if (stopped || role === 'sealed') return;
    if (core.isSealed()) {
      await demote({ release: true, holdOffMs: 0, sealed: true });
      return;
    }
    if (role === 'standby') return standbyTick();
    if (role === 'active' || role === 'activating') return renewTick();
    schedule(timing.pollEveryMs);
  }

  async function standbyTick(): Promise<void> {
    await backend.echo(nodeId, apiAddr).catch(() => undefined);
    if (monotonicMs() >= holdOffUntil) {
      const sentAt = monotonicMs();
      let acquired = false;
      try {
        acquired = await backend.tryAcquire(nodeId, apiAddr, timing.ttlMs);
      } catch (err) {
        log.warn({ err }, 'ha: could not try for the lock');
      }
      if (acquired && role === 'standby' && !stopped) {
        role = 'activating';
        leader = { nodeId, apiAddr, acquiredAt: new Date(opts.now()) };
        extendServing(sentAt);
        schedule(timing.renewEveryMs);
        void serially(activate);
        return;
      }
    }
    try {
      leader = await backend.holder();
    } catch {
      leader = undefined; // the database is out of reach: nobody to send clients to
    }
    schedule(timing.pollEveryMs);
  }

  async function activate(): Promise<void> {
    if (role !== 'activating') return;
    log.info({ nodeId }, 'ha: acquired the lock; building services from storage');
    try {
      await core.activate();
    } catch (err) {
      log.error({ err }, 'ha: could not become active; releasing the lock');
      role = 'stepping-down';
      await backend.release(nodeId).catch(() => undefined);
      settle(timing.stepDownHoldOffMs);
      return;
    }
    if (role !== 'activating') {
      await core.deactivate().catch((err) => log.error({ err }, 'ha: tearing services down failed'));
      return;
    }
    role = 'active';
    activeSince = opts.now();
    log.info({ nodeId }, 'ha: this node is active');
  }

  async function renewTick(): Promise<void> {
    const sentAt = monotonicMs();
    let renewed: boolean | undefined;
    try {
      renewed = await backend.renew(nodeId, timing.ttlMs);
    } catch (err) {
      log.warn({ err }, 'ha: could not renew the lease');
    }
    if (role !== 'active' && role !== 'activating') return;
    if (renewed === true) {
      extendServing(sentAt);
      void backend.echo(nodeId, apiAddr).catch(() => undefined);
      schedule(timing.renewEveryMs);
    } else if (renewed === false) {
      log.error({ nodeId }, 'ha: the lock is no longer ours; returning to standby');
      await demote({ release: false, holdOffMs: 0 });
    } else if (monotonicMs() >= servingUntil) {
      await demote({ release: false, holdOffMs: 0 });
    } else {
      schedule(Math.min(500, timing.renewEveryMs));
    }
  }

  async function demote(how: { release: boolean; holdOffMs: number; sealed?: boolean }): Promise<void> {
    const was = role;
    if (was === 'sealed') return;
    role = 'stepping-down';
    servingUntil = 0;
    leader = undefined;
    activeSince = undefined;
    clearTimeout(fenceTimer);
    clearTimeout(loop);
    await serially(async () => {
      if (was !== 'standby') await core.deactivate().catch((err) => log.error({ err }, 'ha: tearing services down failed'));
      // Released only once nothing of this node's can still write: the next active sees it all.
      if (how.release && was !== 'standby') await backend.release(nodeId).catch((err) => log.warn({ err }, 'ha: could not release the lock (it expires on its own)'));
    });
    if (how.sealed) {
      role = 'sealed';
      return;
    }
    settle(how.holdOffMs);
  }

  function settle(holdOffMs: number): void {
    holdOffUntil = monotonicMs() + holdOffMs;
    role = core.isSealed() ? 'sealed' : 'standby';
    schedule(timing.pollEveryMs);
  }

  return {
    nodeId,
    view,
    role: () => role,
    holdsLease: () => (role === 'active' || role === 'activating') && monotonicMs() < servingUntil,
    unsealed() {
      if (stopped || role !== 'sealed') return;
      role = 'standby';
      schedule(0);
    },
    sealed: () => demote({ release: true, holdOffMs: 0, sealed: true }),
    async stepDown() {
      if (role !== 'active') return;
      log.info({ nodeId }, 'ha: stepping down');
      await demote({ release: true, holdOffMs: timing.stepDownHoldOffMs });
    },
    leader() {
      const self = serving();
      return {
        ha_enabled: true,
        is_self: self,
        active_time: self && activeSince !== undefined ? new Date(activeSince).toISOString() : ZERO_TIME,
        leader_address: self ? apiAddr : view.leaderAddress() ?? '',
        leader_cluster_address: '',
        performance_standby: false,
        performance_standby_last_remote_wal: 0,
      };
    },
    async lockForInit() {
      if (role !== 'sealed' || !core.isSealed()) return undefined;
      if (!(await backend.tryAcquire(nodeId, apiAddr, timing.ttlMs))) return undefined;
      return {
        // A sealed node never competes, so nothing else of this node's releases it meanwhile.
        release: () => backend.release(nodeId).catch((err) => log.warn({ err }, 'ha: could not release the lock after init (it expires on its own)')),
      };
    },
    async nodes() {
      const [rows, holder] = await Promise.all([backend.nodes(), backend.holder()]);
      // Nodes not heard from for ten TTLs are gone; "now" is the newest echo, the database's clock.
      const newest = Math.max(0, ...rows.map((r) => r.lastEcho.getTime()));
      return rows
        .filter((r) => r.lastEcho.getTime() >= newest - 10 * timing.ttlMs)
        .map((r) => ({ node_id: r.nodeId, api_address: r.apiAddr, cluster_address: '', active_node: holder?.nodeId === r.nodeId, last_echo: r.lastEcho.toISOString() }));
    },
    async stop() {
      if (role === 'active' || role === 'activating') await demote({ release: true, holdOffMs: 0, sealed: true });
      stopped = true;
      clearTimeout(loop);
      clearTimeout(fenceTimer);
      await transition;
    },
  };
}
