/**
 * The server core: seal state, the services that exist while unsealed, and the entry point every
 * HTTP request goes through. Requests to the non-audited seal endpoints (sys/init, sys/unseal, ...)
 * are answered here; everything else passes the audited lifecycle.
 */
import { SealtrailError, sealed } from '../errors/index.js';
import type { Clock } from '../lib/clock.js';
import type { SealManager } from '../storage/barrier/types.js';
import { auditRefusal, runLifecycle, type LifecycleLog } from './lifecycle.js';
import type { Services } from './services.js';
import type { LogicalRequest, LogicalResponse } from './types.js';

export interface CoreLog extends LifecycleLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface CoreDeps {
  seal: SealManager;
  clock: Clock;
  log: CoreLog;
  /** Builds the unsealed services (token store, policies, audit, mounts) from the barrier. */
  buildServices(core: Core): Promise<Services>;
  /** Handles the non-audited system endpoints; returns undefined for any other path. */
  systemEndpoints(core: Core, req: LogicalRequest): Promise<LogicalResponse | undefined>;
}

export class Core {
  private services: Services | undefined;
  private unsealing: Promise<void> | undefined;

  constructor(readonly deps: CoreDeps) {}

  get clock(): Clock { return this.deps.clock; }
  get seal(): SealManager { return this.deps.seal; }

  /** The unsealed services; throws 503 while sealed. */
  requireServices(): Services {
    if (!this.services || this.deps.seal.isSealed()) throw sealed();
    return this.services;
  }

  private requireServicesOr(err: SealtrailError): Services {
    if (!this.services || this.deps.seal.isSealed()) throw err;
    return this.services;
  }

  get unsealedServices(): Services | undefined {
    return this.services;
  }

  async handle(req: LogicalRequest): Promise<LogicalResponse> {
    // Refused input never reaches an endpoint: audited by the lifecycle while unsealed, and
    // refused as is while sealed, when there is no audit device to record it.
    if (req.inputError) return runLifecycle(req, this.requireServicesOr(req.inputError), this.deps);
    const system = await this.deps.systemEndpoints(this, req);
    if (system) {
      req.mountType = this.services?.mounts.route(req.path)?.entry.type;
      return system;
    }
    const services = this.requireServices();
    return runLifecycle(req, services, this.deps);
  }

  /** Audits a request the edge refused before handling it (request and response entries), then throws `err`. */
  async refuse(req: LogicalRequest, err: SealtrailError): Promise<never> {
    return auditRefusal(req, err, this.requireServices(), this.deps);
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

  /** Tears the services down and seals the barrier. */
  async sealNow(): Promise<void> {
    const services = this.services;
    this.services = undefined;
    if (services) {
      await services.tokenTidy.stop();
      await services.trail.close();
      await services.audit.close();
      await services.mounts.closeAll();
      services.tokens.clearCache();
      services.policies.clearCache();
    }
    await this.deps.seal.seal();
    this.deps.log.info({}, 'core: sealed');
  }
}
