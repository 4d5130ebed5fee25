/** What the HA node needs from the storage backend's lock (PostgreSQL provides it) and from the core. */

export interface LockHolder {
  nodeId: string;
  apiAddr: string;
  acquiredAt: Date;
}

export interface HaBackend {
  /** Takes the lock if it is free, expired or already ours; the lease lasts `ttlMs` by the database's clock. */
  tryAcquire(nodeId: string, apiAddr: string, ttlMs: number): Promise<boolean>;
  /** Extends our unexpired lease; false when it is no longer ours. */
  renew(nodeId: string, ttlMs: number): Promise<boolean>;
  release(nodeId: string): Promise<void>;
  /** The holder of a live lease, if any. */
  holder(): Promise<LockHolder | undefined>;
  echo(nodeId: string, apiAddr: string): Promise<void>;
  nodes(): Promise<Array<{ nodeId: string; apiAddr: string; lastEcho: Date }>>;
}

/** The node's view of the core: services are built when it becomes active and torn down when it stops. */
export interface HaCore {
  isSealed(): boolean;
  /** Builds the services from storage (what a server does after unseal). */
  activate(): Promise<void>;
  /** Tears the services down; the barrier stays unsealed. */
  deactivate(): Promise<void>;
}

export type HaRole = 'sealed' | 'standby' | 'activating' | 'active' | 'stepping-down';

/** What the HTTP edge asks before handling a request (src/server/standby-gate.ts). */
export interface NodeRoleView {
  /** True only while this node is active and its lease is known to be valid. */
  serving(): boolean;
  /** True when the node is unsealed but not serving (standby, or between roles). */
  standingBy(): boolean;
  /** The active node's api_addr as the lock row names it, when another node is active. */
  leaderAddress(): string | undefined;
}
