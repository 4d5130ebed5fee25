/**
 * The `sys/` backend: every audited system endpoint, composed from one path list per concern.
 * (The non-audited seal endpoints are in seal.ts and are answered before the lifecycle; sys/seal
 * itself is audited, in sealing.ts.)
 */
import { RawJson } from '../lib/json-text.js';
import type { SysCore } from './sys-core.js';
import { backendFromPaths, type PathSpec, type Backend } from '../core/index.js';
import { auditPaths } from './audit.js';
import { mountPaths } from './mounts.js';
import { policyPaths } from './policies.js';
import { systemInfoPaths } from './system-info.js';
import { trailSysPaths } from './trails.js';
import { journalSysPaths } from './journal.js';
import { createJournalReadSlots } from './journal-read-slots.js';
import { EVERY_RECORD_QUERY, ledgerSysPaths, ledgerUnauthenticatedPaths, type LedgerView } from './ledger.js';
import { LIST_PARAMETERS, type JournalHealth, type JournalStore } from '../journal/index.js';
import type { TrailManager } from '../trail/index.js';
import type { AuditManager } from '../audit/index.js';
import type { PolicyStore, TokenStore } from '../auth/index.js';
import { toolPaths } from './tools.js';
import { wrappingPaths } from './wrapping.js';
import { haPaths, type SysHa } from './ha.js';
import { sealPaths } from './sealing.js';
import { rekeyPaths } from './rekey.js';
import { quotaPaths } from './quotas.js';
import type { RateLimits } from '../core/index.js';

export interface SysBackendDeps {
  core: SysCore;
  audit: AuditManager;
  tokens: TokenStore;
  policies: PolicyStore;
  defaults: { defaultLeaseTtl: number; maxLeaseTtl: number };
  trails: () => TrailManager;
  journal?: JournalStore;
  /** The journal's ledger (absent when the journal is off or in memory). */
  ledger?: LedgerView;
  /** HA (absent when the storage has no HA): sys/ha-status and sys/step-down. */
  ha?: SysHa;
  /** Seals the server (sys/seal), once the request is recorded. */
  seal(): Promise<void>;
  /** The journal's indexer and ledger (absent with the journal off): sys/metrics. */
  journalHealth?: () => JournalHealth;
  /** The file the server unseals itself from (seal "file", dev mode): sys/rekey is refused. */
  unsealKeyFile?: string;
  /** Rate limit quotas: sys/quotas. */
  quotas: RateLimits;
}

/** Vault's root-protected system paths: they need `sudo` as well as the operation's capability. */
export const SYS_ROOT_PATHS = ['audit', 'audit/*', 'audit-hash/*', 'config/auditing/*', 'auth/*', 'rotate', 'raw', 'raw/*', 'rekey/*', 'rotate/config', 'seal', 'step-down', 'trails/*'];

export function sysBackend(deps: SysBackendDeps): Backend {
  const services = () => deps.core.requireServices();
  const slots = createJournalReadSlots();
  const paths: PathSpec[] = [
    ...mountPaths({ mounts: () => services().mounts, defaults: deps.defaults }),
    ...policyPaths({ policies: deps.policies, tokens: deps.tokens, mounts: () => services().mounts }),
    ...auditPaths({ audit: deps.audit }),
    ...systemInfoPaths({ core: deps.core, policies: deps.policies, journalHealth: deps.journalHealth }),
    ...toolPaths(),
    ...wrappingPaths({ tokens: deps.tokens, wrapping: () => services().wrapping }),
    ...trailSysPaths({ trails: deps.trails }),
    ...journalSysPaths({
      journal: deps.journal,
      hashAccessor: (accessor) => deps.audit.hash('journal/', accessor),
      // Spliced into the answer as stored: numbers keep their literal text, and a record costs a
      // copy, not a parse (a record of 99,000 numbers took ~0.4 s to parse keeping them).
      parseRecord: (text) => new RawJson(text),
      slots,
    }),
    ...ledgerSysPaths({
      ledger: deps.ledger,
      readsEveryRecord: async (token) => (await deps.policies.acl(token.policies))
        .check(EVERY_RECORD_QUERY.path, 'read', { data: EVERY_RECORD_QUERY.data, wrapTtl: 0, listParameters: LIST_PARAMETERS }).allowed,
      slots,
    }),
    ...haPaths({ ha: deps.ha, onError: () => undefined }),
    ...sealPaths({ seal: deps.seal }),
    ...rekeyPaths({ seal: deps.core.seal, unsealKeyFile: deps.unsealKeyFile }),
    ...quotaPaths({ quotas: () => deps.quotas }),
  ];
  return backendFromPaths(paths, {
    rootPaths: SYS_ROOT_PATHS,
    unauthenticatedPaths: ['internal/ui/mounts', 'internal/ui/mounts/*', 'wrapping/lookup', ...ledgerUnauthenticatedPaths(deps.ledger)],
  });
}

export { sealEndpoints, type SealEndpointsHa } from './seal.js';
export type { SysHa } from './ha.js';
export type { LedgerView } from './ledger.js';
