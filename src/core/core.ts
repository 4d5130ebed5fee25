/**
 * The server core: seal state, the services that exist while unsealed, and the entry point every
 * HTTP request goes through. Requests to the non-audited seal endpoints (sys/init, sys/unseal, ...)
 * are answered here; everything else passes the audited lifecycle.
 */
import { SealtrailError, sealed } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import { repeatLimited } from '../lib/repeat-limited-log.js';
import type { SealManager } from '../storage/index.js';
import { auditRefusal, runLifecycle, type LifecycleDeps, type LifecycleLog } from './lifecycle.js';
import type { CoreServices } from './services.js';
import type { LogicalRequest, LogicalResponse } from './contract/types.js';

export interface CoreLog extends LifecycleLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

/** `S`: the services the composition root builds, at least what the core itself uses. */
export interface CoreDeps<S extends CoreServices = CoreServices> {
  seal: SealManager;
  clock: Clock;
  log: CoreLog;
  /** Builds the unsealed services (token store, policies, audit, mounts) from the barrier. */
  buildServices(core: Core<S>): Promise<S>;
  /** Handles the non-audited system endpoints; returns undefined for any other path. */
  systemEndpoints(core: Core<S>, req: LogicalRequest): Promise<LogicalResponse | undefined>;
}

export class Core<S extends CoreServices = CoreServices> {
  private services: S | undefined;
  private unsealing: Promise<void> | undefined;

  /**
   * What the lifecycle logs with: a failing audit device refuses every request, and each refusal's
   * line is told once per kind and window (lib/repeat-limited-log.ts), not once per request.
   */
  private readonly lifecycle: LifecycleDeps;

  constructor(readonly deps: CoreDeps<S>) {
    this.lifecycle = { clock: deps.clock, log: repeatLimited(deps.log) };
  }

  get clock(): Clock { return this.deps.clock; }
  get seal(): SealManager { return this.deps.seal; }

  /** The unsealed services; throws 503 while sealed. */
  requireServices(): S {
    if (!this.services || this.deps.seal.isSealed()) throw sealed();
    return this.services;
  }

  private requireServicesOr(err: SealtrailError): S {
    if (!this.services || this.deps.seal.isSealed()) throw err;
    return this.services;
  }

  get unsealedServices(): S | undefined {
    return this.services;
  }

  async handle(req: LogicalRequest): Promise<LogicalResponse> {
    // Refused input never reaches an endpoint: audited by the lifecycle while unsealed, and
    // refused as is while sealed, when there is no audit device to record it.
    if (req.inputError) return runLifecycle(req, this.requireServicesOr(req.inputError), this.lifecycle);
    const system = await this.deps.systemEndpoints(this, req);
    if (system) {
      req.mountType = this.services?.mounts.route(req.path)?.entry.type;
      return system;
    }
    const services = this.requireServices();
    return runLifecycle(req, services, this.lifecycle);
  }

  /** Audits a request the edge refused before handling it (request and response entries), then throws `err`. */
  async refuse(req: LogicalRequest, err: SealtrailError): Promise<never> {
    return auditRefusal(req, err, this.requireServices(), this.lifecycle);
  }

  /** Called after the barrier is unsealed: builds the services once. */
  async afterUnseal(): Promise<void> {
    if (this.services) return;
    this.unsealing ??= (async () => {
      try {
        this.services = await this.deps.buildServices(this);
        this.deps.log.info({}, 'core: unsealed; services started');
      } catch (err) {
        this.deps.log.error({ err }, 'core: failed to start services after unseal; sealing again');
        await this.deps.seal.seal();
        throw err instanceof SealtrailError ? err : new SealtrailError('internal', 'post_unseal_failed', 'internal error', { cause: err });
      } finally {
        this.unsealing = undefined;
      }
    })();
    return this.unsealing;
  }

  /**
   * Tears the services down and leaves the barrier unsealed: an HA node that stops being active
   * (it stands by, and builds them afresh from storage with afterUnseal if it becomes active again).
   */
  async standDown(): Promise<void> {
    const services = this.services;
    this.services = undefined;
    if (services) {
      await services.close();
      this.deps.log.info({}, 'core: services stopped (standby)');
    }
  }

  /** Tears the services down and seals the barrier. */
  async sealNow(): Promise<void> {
    const services = this.services;
    this.services = undefined;
    if (services) {
      await services.close();
    }
    await this.deps.seal.seal();
    this.deps.log.info({}, 'core: sealed');
  }
}
