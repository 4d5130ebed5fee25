/**
 * Wiring: builds the services that exist while unsealed from the barrier. The one place that
 * knows every module; each module only gets the narrow dependencies it needs.
 */
import { randomBytes } from 'node:crypto';
import { createAuditManager } from '../audit/manager.js';
import { sinkFactories } from '../audit/devices/index.js';
import { createPolicyStore, ensureDefaultPolicy } from '../auth/policy/index.js';
import { tokenBackend } from '../auth/token/backend.js';
import { createTokenStore } from '../auth/token/store.js';
import type { ServerConfig } from '../config/types.js';
import type { Core } from '../core/core.js';
import { Mounts } from '../core/mount-table.js';
import type { Services } from '../core/services.js';
import type { BackendFactory } from '../core/types.js';
import { apmBackend } from '../auth/apm/index.js';
import { capsuleBackend, recordCapsuleMountTune } from '../secrets/capsule/index.js';
import { kvBackend } from '../secrets/kv/index.js';
import { storageView, type Storage } from '../storage/types.js';
import { sysBackend } from '../sys/index.js';
import type { ServerLogger } from './logger.js';

/** Secrets engines by type: adding one is one line here. */
export const SECRET_ENGINES: Record<string, BackendFactory> = {
  kv: kvBackend,
  capsule: async (ctx) => {
    const backend = await capsuleBackend(ctx);
    // Mount tunes are control-log events of the capsule domain.
    return { ...backend, onTune: async (e) => { await recordCapsuleMountTune(backend, { session: e.session, url: e.url, description: e.config }); } };
  },
};

export interface WiringOptions {
  /** PEM roots of the development enclave CA: trusted by attestation only in dev mode. */
  devAttestationRoots?: () => string[];
}

/** Auth methods by type (the token method is builtin at auth/token/). */
function authMethods(clock: Core['clock'], opts: WiringOptions): Record<string, BackendFactory> {
  return {
    apm: apmBackend({ clock, trustedDevRoots: opts.devAttestationRoots }),
  };
}

async function ensureRandomKey(storage: Storage, key: string): Promise<Uint8Array> {
  const existing = await storage.get(key);
  if (existing) return existing;
  const fresh = randomBytes(32);
  await storage.put(key, fresh);
  return fresh;
}

export function servicesBuilder(config: ServerConfig, log: ServerLogger, opts: WiringOptions = {}) {
  return async function buildServices(core: Core): Promise<Services> {
    const barrier = core.seal.barrier;
    const clock = core.clock;
    const hashKey = await ensureRandomKey(barrier, 'sys/token-hash-key');
    const tokens = createTokenStore({ storage: storageView(barrier, 'sys/token/'), clock, hashKey });
    const policies = createPolicyStore({ storage: storageView(barrier, 'sys/policy/') });
    await ensureDefaultPolicy(policies);

    const audit = createAuditManager({
      storage: storageView(barrier, 'sys/audit/'),
      clock,
      log: log.child({ module: 'audit' }),
      sinks: sinkFactories,
      settings: {
        allowApiAuditCreation: config.allowApiAuditCreation,
        allowAuditLogPrefixing: config.allowAuditLogPrefixing,
        blockTimeoutMs: config.auditBlockTimeoutMs,
      },
    });
    await audit.load();
    await audit.applyConfigDevices(config.audit);

    const mounts = new Mounts({ storage: barrier, clock, secretEngines: SECRET_ENGINES, authMethods: authMethods(clock, opts) });
    const defaults = { defaultLeaseTtl: config.defaultLeaseTtl, maxLeaseTtl: config.maxLeaseTtl };
    mounts.addBuiltin('secret', 'sys/', 'system', sysBackend({ core, audit, tokens, policies, defaults }), 'system endpoints used for control, policy and debugging');
    mounts.addBuiltin('auth', 'auth/token/', 'token', tokenBackend({ tokens, policies, clock }), 'token based credentials');
    await mounts.load();
    return { tokens, policies, audit, mounts };
  };
}
